namespace ModelRetraining;

/// <summary>A progress report from a running stage.</summary>
/// <param name="Stage">The stage that reports.</param>
/// <param name="Fraction">Completed share of the stage in [0, 1], when the stage can tell.</param>
/// <param name="Message">What the stage is doing, for a person.</param>
public sealed record RetrainingProgress(RetrainingStage Stage, double? Fraction, string Message);
