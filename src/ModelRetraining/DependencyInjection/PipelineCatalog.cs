using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Builds each named pipeline once, whether start-up validation or a consumer asks first.</summary>
internal sealed class PipelineCatalog(IOptionsMonitor<PipelineRegistration> registrations, IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, Lazy<RetrainingPipeline>> _pipelines = new(StringComparer.Ordinal);

    // Reading the registration runs its validation, which builds the pipeline (BuildOnce); the pipeline
    // is then found built. Never read the registration inside the build: validation would call back.
    public RetrainingPipeline Get(string name) => BuildOnce(name, registrations.Get(name));

    /// <summary>Builds the pipeline of a registration the first time it is asked for, and keeps it.</summary>
    public RetrainingPipeline BuildOnce(string name, PipelineRegistration registration)
        => _pipelines.GetOrAdd(name, n => new Lazy<RetrainingPipeline>(() => ModelRetrainingBuilder.BuildPipeline(n, registration, services))).Value;
}
