namespace ModelRetraining;

/// <summary>How a stage ended: the journal entry it leaves (status, inputs' fingerprint, outputs) and, when the run ends here, its result.</summary>
internal sealed record StageOutcome(RunJournalStatus Status, string? Inputs, object? Outputs)
{
    /// <summary>Gets the run's result when the run ends with this stage; <see langword="null"/> when it goes on.</summary>
    public RetrainingRunResult? End { get; init; }

    public static StageOutcome Completed(string? inputs, object? outputs) => new(RunJournalStatus.Completed, inputs, outputs);
}
