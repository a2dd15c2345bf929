using Polly;

namespace ModelRetraining;

/// <summary>
/// A registry whose calls run inside resilience pipelines: idempotent calls (reads, tags) may be retried;
/// registering, moving aliases and appending to the journal get a timeout only, never a retry, so a
/// retry cannot register a version twice.
/// </summary>
internal sealed class ResilientModelRegistry(IModelRegistry inner, ResiliencePipeline reads, ResiliencePipeline writes) : DelegatingModelRegistry(inner), IRunJournal
{
    public override IRunJournal Journal => this;

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

    public ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
        => writes.ExecuteAsync(static (s, t) => s.Journal.AppendAsync(s.entry, t), (InnerRegistry.Journal, entry), cancellationToken);

    public IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, CancellationToken cancellationToken = default)
        => InnerRegistry.Journal.ReadRunAsync(runId, cancellationToken);

    public IAsyncEnumerable<string> ListRunsAsync(string modelName, CancellationToken cancellationToken = default)
        => InnerRegistry.Journal.ListRunsAsync(modelName, cancellationToken);

    // A checkpoint replaces one of the same name, so writing it again is harmless: it may be retried.
    public ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.Journal.SaveCheckpointAsync(s.runId, s.name, s.content, t), (InnerRegistry.Journal, runId, name, content), cancellationToken);

    public ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.Journal.ReadCheckpointAsync(s.runId, s.name, t), (InnerRegistry.Journal, runId, name), cancellationToken);

    public ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.Journal.DeleteCheckpointsAsync(s.runId, t), (InnerRegistry.Journal, runId), cancellationToken);
}
