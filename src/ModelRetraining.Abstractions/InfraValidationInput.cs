namespace ModelRetraining;

/// <summary>What an <see cref="IInfraValidator"/> checks.</summary>
/// <param name="Candidate">The trained candidate, with its attachments (an ONNX export, say).</param>
/// <param name="Holdout">The holdout the candidate was evaluated on.</param>
/// <param name="EvaluatedScores">The candidate's per-row scores from the evaluation, when the evaluator kept them.</param>
public sealed record InfraValidationInput(TrainedModel Candidate, DatasetSnapshot Holdout, PerRowOutputs? EvaluatedScores);
