namespace ModelRetraining;

/// <summary>An append-only record of the stages of every run, so that a run can be audited and resumed.</summary>
public interface IRunJournal
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
}
