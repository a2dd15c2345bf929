using Polly;

namespace ModelRetraining;

/// <summary>
/// A registry whose calls run inside resilience pipelines: idempotent calls (reads, tags) may be retried;
/// registering and moving aliases get a timeout only, never a retry, so a
/// retry cannot register a version twice.
/// </summary>
internal sealed class ResilientModelRegistry(IModelRegistry inner, ResiliencePipeline reads, ResiliencePipeline writes) : DelegatingModelRegistry(inner)
{
    public override ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
        => writes.ExecuteAsync(static (s, t) => s.InnerRegistry.RegisterVersionAsync(s.version, t), (InnerRegistry, version), cancellationToken);

    public override ValueTask<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerRegistry.GetVersionAsync(s.modelName, s.version, t), (InnerRegistry, modelName, version), cancellationToken);

    public override ValueTask<ModelVersion?> GetAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerRegistry.GetAliasAsync(s.modelName, s.alias, t), (InnerRegistry, modelName, alias), cancellationToken);

    public override ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
        => writes.ExecuteAsync(static (s, t) => s.InnerRegistry.SetAliasAsync(s.change, t), (InnerRegistry, change), cancellationToken);

    public override ValueTask<AliasHistoryEntry> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
        => writes.ExecuteAsync(static (s, t) => s.InnerRegistry.RollbackAsync(s.request, t), (InnerRegistry, request), cancellationToken);

    public override ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerRegistry.SetTagAsync(s.modelName, s.version, s.key, s.value, s.actor, t), (InnerRegistry, modelName, version, key, value, actor), cancellationToken);

    public override ValueTask<ModelArtifact> ReadArtifactAsync(ModelVersion version, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerRegistry.ReadArtifactAsync(s.version, t), (InnerRegistry, version), cancellationToken);

    public override ValueTask<ModelArtifact> ReadAttachmentAsync(ModelVersion version, string name, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerRegistry.ReadAttachmentAsync(s.version, s.name, t), (InnerRegistry, version, name), cancellationToken);
}
