using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelRetraining;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds ModelRetraining to a service collection.</summary>
public static class ModelRetrainingServiceCollectionExtensions
{
    /// <summary>Adds the ModelRetraining services and returns a builder to register pipelines: <c>services.AddModelRetraining().AddPipeline("churn", (p, sp) =&gt; ...)</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddModelRetraining(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PipelineCatalog>();

        // What this process's runs are doing now, for the dashboard: cheap (a sample a second while a run is
        // active) and GPU figures only where nvidia-smi answers.
        services.TryAddSingleton(sp => new RunMonitor(sp.GetService<TimeProvider>(), new NvidiaSmiGpuProbe()));
        return new ModelRetrainingBuilder(services);
    }
}
