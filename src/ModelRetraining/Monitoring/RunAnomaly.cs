namespace ModelRetraining;

/// <summary>Something odd about a run, with the figures that made the rule fire.</summary>
/// <param name="Kind">The rule that fired.</param>
/// <param name="Stage">The stage it concerns, when one does.</param>
/// <param name="Message">What happened, for a person.</param>
public sealed record RunAnomaly(RunAnomalyKind Kind, RetrainingStage? Stage, string Message)
{
    /// <summary>Gets the rule's figures (the stage's seconds, the history's mean and deviation, the metric's values, ...), invariant-culture text.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
