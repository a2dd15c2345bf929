namespace ModelRetraining;

/// <summary>Where one run stands, from its journal: when it began, its latest stage and status, and how many attempts it took.</summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelName">The model.</param>
/// <param name="StartedAt">When its first entry was written.</param>
/// <param name="UpdatedAt">When its latest entry was written.</param>
/// <param name="Stage">The stage of its latest entry.</param>
/// <param name="Status">The status of its latest entry.</param>
public sealed record RunSummary(string RunId, string ModelName, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt, RetrainingStage Stage, RunJournalStatus Status)
{
    /// <summary>Gets how many times the run was started or resumed.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Gets a value indicating whether the run is over for good (succeeded, rejected, awaiting approval).</summary>
    public bool IsFinal => Status.IsFinal();

    /// <summary>Gets a value indicating whether the latest attempt never ended: its process died, or it is still running.</summary>
    public bool IsUnfinished => !Status.EndsAttempt();

    /// <summary>Summarizes a run from its entries, in journal order; what every journal backend returns from <see cref="IRunJournal.ListRunsAsync"/>.</summary>
    /// <param name="entries">The run's entries, oldest first.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="ArgumentException">There are no entries, or they belong to several runs.</exception>
    public static RunSummary FromEntries(IReadOnlyList<RunJournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("A run summary needs at least one journal entry.", nameof(entries));
        }

        var first = entries[0];
        if (entries.Any(e => e.RunId != first.RunId))
        {
            throw new ArgumentException($"The entries belong to several runs ({string.Join(", ", entries.Select(e => e.RunId).Distinct())}).", nameof(entries));
        }

        var last = entries[^1];
        return new RunSummary(first.RunId, first.ModelName, first.At, last.At, last.Stage, last.Status)
        {
            Attempts = Math.Max(1, entries.Count(e => e.Status is RunJournalStatus.Started or RunJournalStatus.Resumed)),
        };
    }
}
