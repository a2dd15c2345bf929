using Polly;

namespace ModelRetraining;

/// <summary>
/// A run journal whose calls run inside resilience pipelines: appends get a timeout only, never a retry (a
/// retried append could journal a stage twice); reads and checkpoints, which replace what they write, may be retried.
/// </summary>
internal sealed class ResilientRunJournal(IRunJournal inner, ResiliencePipeline reads, ResiliencePipeline writes) : DelegatingRunJournal(inner)
{
    public override ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
        => writes.ExecuteAsync(static (s, t) => s.InnerJournal.AppendAsync(s.entry, t), (InnerJournal, entry), cancellationToken);

    public override ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerJournal.SaveCheckpointAsync(s.runId, s.name, s.content, t), (InnerJournal, runId, name, content), cancellationToken);

    public override ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerJournal.ReadCheckpointAsync(s.runId, s.name, t), (InnerJournal, runId, name), cancellationToken);

    public override ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerJournal.DeleteCheckpointsAsync(s.runId, t), (InnerJournal, runId), cancellationToken);

    public override ValueTask<RunClaim> ClaimRunAsync(RunClaim claim, CancellationToken cancellationToken = default)
        => writes.ExecuteAsync(static (s, t) => s.InnerJournal.ClaimRunAsync(s.claim, t), (InnerJournal, claim), cancellationToken);

    public override ValueTask<bool> RenewClaimAsync(RunClaim claim, CancellationToken cancellationToken = default)
        => writes.ExecuteAsync(static (s, t) => s.InnerJournal.RenewClaimAsync(s.claim, t), (InnerJournal, claim), cancellationToken);

    public override ValueTask<RunClaim?> GetClaimAsync(string runId, CancellationToken cancellationToken = default)
        => reads.ExecuteAsync(static (s, t) => s.InnerJournal.GetClaimAsync(s.runId, t), (InnerJournal, runId), cancellationToken);
}
