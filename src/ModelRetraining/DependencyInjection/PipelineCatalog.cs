using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Builds each named pipeline once, whether start-up validation or a consumer asks first.</summary>
internal sealed class PipelineCatalog(IOptionsMonitor<PipelineRegistration> registrations, IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, Lazy<RetrainingPipeline>> _pipelines = new(StringComparer.Ordinal);

    public RetrainingPipeline Get(string name)
        => _pipelines.GetOrAdd(name, n => new Lazy<RetrainingPipeline>(() => ModelRetrainingBuilder.BuildPipeline(n, registrations.Get(n), services))).Value;
}
