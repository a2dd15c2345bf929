namespace ModelRetraining.Hosting;

/// <summary>
/// The capability each pipeline requires (<c>RequireCapability</c>), shared by the registrations of one host:
/// read when Quartz builds the pipeline's triggers, each of which then carries it as its execution group.
/// </summary>
internal sealed class PipelineCapabilities
{
    private readonly Dictionary<string, string> _required = new(StringComparer.Ordinal);

    public void Require(string pipeline, string capability) => _required[pipeline] = capability;

    public string? Of(string pipeline) => _required.GetValueOrDefault(pipeline);

    public IReadOnlyDictionary<string, string> All => _required;
}
