namespace ModelRetraining;

/// <summary>A run journal that passes every call to an inner journal; derive to add behaviour (retries, telemetry).</summary>
public abstract class DelegatingRunJournal : IRunJournal
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerJournal">The journal to call.</param>
    protected DelegatingRunJournal(IRunJournal innerJournal)
    {
        ArgumentNullException.ThrowIfNull(innerJournal);
        InnerJournal = innerJournal;
    }

    /// <summary>Gets the decorated journal.</summary>
    protected IRunJournal InnerJournal { get; }

    /// <summary>Answers for this decorator's own type first, then asks the decorated journal, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerJournal, serviceType, serviceKey);

    /// <inheritdoc />
    public virtual ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
        => InnerJournal.AppendAsync(entry, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, CancellationToken cancellationToken = default)
        => InnerJournal.ReadRunAsync(runId, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<RunSummary> ListRunsAsync(string modelName, CancellationToken cancellationToken = default)
        => InnerJournal.ListRunsAsync(modelName, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        => InnerJournal.SaveCheckpointAsync(runId, name, content, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default)
        => InnerJournal.ReadCheckpointAsync(runId, name, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
        => InnerJournal.DeleteCheckpointsAsync(runId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<RunClaim> ClaimRunAsync(RunClaim claim, CancellationToken cancellationToken = default)
        => InnerJournal.ClaimRunAsync(claim, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<RunClaim?> GetClaimAsync(string runId, CancellationToken cancellationToken = default)
        => InnerJournal.GetClaimAsync(runId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> RenewClaimAsync(RunClaim claim, CancellationToken cancellationToken = default)
        => InnerJournal.RenewClaimAsync(claim, cancellationToken);
}
