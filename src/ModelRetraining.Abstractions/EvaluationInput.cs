namespace ModelRetraining;

/// <summary>What an evaluator scores: the candidate and, when there is one, the champion, on one holdout.</summary>
/// <param name="Candidate">The freshly trained candidate.</param>
/// <param name="Champion">The current champion, or <see langword="null"/> on a first run.</param>
/// <param name="Holdout">The holdout rows; both models score exactly these.</param>
public sealed record EvaluationInput(TrainedModel Candidate, ChampionModel? Champion, DatasetSnapshot Holdout);
