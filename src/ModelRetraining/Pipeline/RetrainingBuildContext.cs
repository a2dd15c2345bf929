using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>
/// What a component factory receives when <see cref="RetrainingPipelineBuilder.Build"/> creates the
/// pipeline's components: the settings as they are at build time, so that the order of <c>AddX</c> calls
/// and of setting the logger factory or the registry does not matter.
/// </summary>
public sealed class RetrainingBuildContext
{
    internal RetrainingBuildContext(string modelName, TimeProvider timeProvider, ILoggerFactory loggerFactory, IModelRegistry registry)
    {
        ModelName = modelName;
        TimeProvider = timeProvider;
        LoggerFactory = loggerFactory;
        Registry = registry;
    }

    /// <summary>Gets the model the pipeline retrains.</summary>
    public string ModelName { get; }

    /// <summary>Gets the pipeline's clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the logger factory, as set when the pipeline is built.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Gets the registry the pipeline writes to (before resilience decorators are added).</summary>
    public IModelRegistry Registry { get; }
}
