namespace ModelRetraining;

/// <summary>One completed (or failed) stage of a run, as written to the run journal.</summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelName">The model.</param>
/// <param name="Stage">The stage.</param>
/// <param name="Status">How the stage (or the run) ended.</param>
/// <param name="At">When it ended.</param>
public sealed record RunJournalEntry(string RunId, string ModelName, RetrainingStage Stage, RunJournalStatus Status, DateTimeOffset At)
{
    /// <summary>Gets the journal's order of the entry.</summary>
    public long Sequence { get; init; }

    /// <summary>Gets the fingerprint of the stage's inputs (data fingerprints, candidate hash).</summary>
    public string? InputsFingerprint { get; init; }

    /// <summary>Gets the stage's outputs as JSON (a report, a decision, a version number).</summary>
    public string? Outputs { get; init; }

    /// <summary>Gets how long the stage took.</summary>
    public TimeSpan Duration { get; init; }
}
