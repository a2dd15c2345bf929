namespace ModelRetraining;

/// <summary>
/// An append-only record of the stages of every run, so that a run can be audited and resumed, with
/// checkpoints: blobs a run keeps (the trained candidate) so that resuming it does not redo the work.
/// </summary>
public interface IRunJournal : ICapabilityProvider
{
    /// <summary>Appends an entry.</summary>
    /// <param name="entry">The entry; its <see cref="RunJournalEntry.Sequence"/> is assigned by the journal.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The entry as stored.</returns>
    ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads a run's entries in order.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries.</returns>
    IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Lists a model's runs in the order they were first journaled, each with its latest stage and status (<see cref="RunSummary.FromEntries"/>).</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The runs, oldest first.</returns>
    IAsyncEnumerable<RunSummary> ListRunsAsync(string modelName, CancellationToken cancellationToken = default);

    /// <summary>Keeps a blob for a run, replacing one of the same name; it is written whole or not at all.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="name">The checkpoint's name within the run.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the checkpoint is durable.</returns>
    ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Reads a run's checkpoint.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="name">The checkpoint's name within the run.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes, or <see langword="null"/> when the run has no such checkpoint.</returns>
    ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes every checkpoint of a run; a run that has ended needs none.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>A task that completes when they are gone.</returns>
    ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims an attempt of a run, atomically: it succeeds only when no claim of this attempt or a later
    /// one exists, so two processes starting or resuming the same run never both proceed.
    /// </summary>
    /// <param name="claim">The attempt and its holder.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The claim as stored.</returns>
    /// <exception cref="RunClaimedException">Another holder has this attempt or a later one; nothing was changed.</exception>
    ValueTask<RunClaim> ClaimRunAsync(RunClaim claim, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest claim of a run.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The claim, or <see langword="null"/> when the run was never claimed.</returns>
    ValueTask<RunClaim?> GetClaimAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Renews the lease of a claim, atomically: when the stored claim is still <paramref name="claim"/>'s attempt
    /// by its holder, its time becomes <paramref name="claim"/>'s <see cref="RunClaim.At"/>; otherwise nothing
    /// changes. A running attempt renews its claim so that other machines see it alive; a journal that cannot
    /// store renewals (this default) only answers whether the claim is still held, and its claims look stale to
    /// other machines after the run lease.
    /// </summary>
    /// <param name="claim">The attempt, its holder and the renewal's time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when the claim is still this attempt's; <see langword="false"/> when another attempt took the run over (the caller is fenced: it stops without writing).</returns>
    async ValueTask<bool> RenewClaimAsync(RunClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var held = await GetClaimAsync(claim.RunId, cancellationToken).ConfigureAwait(false);
        return held is not null && held.Attempt == claim.Attempt && string.Equals(held.Holder, claim.Holder, StringComparison.Ordinal);
    }
}
