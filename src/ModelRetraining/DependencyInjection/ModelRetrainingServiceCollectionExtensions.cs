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
        return new ModelRetrainingBuilder(services);
    }
}
