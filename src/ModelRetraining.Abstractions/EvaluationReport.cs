namespace ModelRetraining;

/// <summary>The candidate's and the champion's scores on the same holdout.</summary>
/// <param name="Candidate">The candidate's evaluation.</param>
/// <param name="Champion">The champion's evaluation, or <see langword="null"/> on a first run.</param>
/// <param name="Holdout">The holdout's fingerprint.</param>
/// <param name="HoldoutRows">The number of holdout rows.</param>
public sealed record EvaluationReport(ModelEvaluation Candidate, ModelEvaluation? Champion, string Holdout, long HoldoutRows);
