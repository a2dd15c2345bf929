using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Registers pipelines and registries in a service collection; returned by <c>services.AddModelRetraining()</c>.</summary>
public sealed class ModelRetrainingBuilder
{
    internal ModelRetrainingBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers a pipeline under <paramref name="name"/>, which is also the model it retrains (a callback that
    /// sets another model name is refused at host start), resolvable as a keyed <see cref="RetrainingPipeline"/>.
    /// The pipeline is built once, when the host starts, and kept: a mistake stops the host with every problem
    /// listed, and the callback never runs twice.
    /// </summary>
    /// <param name="name">The pipeline's key and its model name.</param>
    /// <param name="configure">Composes the pipeline; the builder arrives with the model name, clock, logger factory and any registered <see cref="IModelRegistry"/>, <see cref="IRunJournal"/> and <see cref="IApprovalStore"/> already set.</param>
    /// <returns>This builder.</returns>
    public ModelRetrainingBuilder AddPipeline(string name, Action<RetrainingPipelineBuilder, IServiceProvider> configure)
    {
        RegistryNames.ThrowIfInvalid(name, "pipeline name", nameof(name));
        ArgumentNullException.ThrowIfNull(configure);
        if (Services.Any(d => d.IsKeyedService && d.ServiceType == typeof(RetrainingPipeline) && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"A pipeline named '{name}' is already registered.", nameof(name));
        }

        Services.AddOptions<PipelineRegistration>(name).Configure(o => o.Configure = configure).ValidateOnStart();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PipelineRegistration>, PipelineRegistrationValidator>());
        Services.AddKeyedSingleton(name, (sp, _) => sp.GetRequiredService<PipelineCatalog>().Get(name));
        return this;
    }

    /// <summary>Registers the embedded registry (SQLite metadata and a local artifact folder) as the <see cref="IModelRegistry"/> of every pipeline that does not set its own.</summary>
    /// <param name="folder">The registry folder.</param>
    /// <returns>This builder.</returns>
    public ModelRetrainingBuilder UseEmbeddedRegistry(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Services.Replace(ServiceDescriptor.Singleton<IModelRegistry>(sp => ModelRegistry.Embedded(folder, new EmbeddedRegistryOptions
        {
            TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
            Logger = sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger("ModelRetraining.Registry"),
        })));
        return this;
    }

    internal static RetrainingPipeline BuildPipeline(string name, PipelineRegistration registration, IServiceProvider services)
    {
        var builder = new RetrainingPipelineBuilder
        {
            ModelName = name,
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
        };
        if (services.GetService<ILoggerFactory>() is { } loggerFactory)
        {
            builder.LoggerFactory = loggerFactory;
        }

        if (services.GetService<IModelRegistry>() is { } registry)
        {
            builder.UseRegistry(registry);
        }

        if (services.GetService<IRunJournal>() is { } journal)
        {
            builder.UseRunJournal(journal);
        }

        if (services.GetService<IApprovalStore>() is { } approvals)
        {
            builder.UseApprovalStore(approvals);
        }

        if (services.GetService<RunMonitor>() is { } monitor)
        {
            builder.UseRunMonitor(monitor);
        }

        registration.Configure?.Invoke(builder, services);

        // One name: the key is the model every trigger, server and job of this registration refers to.
        if (builder.ModelName != name)
        {
            throw new OptionsValidationException(name, typeof(RetrainingPipeline), [$"The registration '{name}' set ModelName to '{builder.ModelName}': the name a pipeline is registered under is the model it retrains (triggers and model servers registered for '{name}' would follow a model nothing trains). Register it as AddPipeline(\"{builder.ModelName}\", ...) instead."]);
        }

        return builder.Build();
    }
}
