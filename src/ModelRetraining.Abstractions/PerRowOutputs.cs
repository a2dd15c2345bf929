namespace ModelRetraining;

/// <summary>A model's output for every holdout row, in holdout order, kept for paired tests.</summary>
/// <param name="Labels">The true label per row (0/1 for binary, the value for regression, the class index for multiclass).</param>
/// <param name="Scores">The model's score per row (probability for binary, prediction for regression, predicted class index for multiclass).</param>
public sealed record PerRowOutputs(ReadOnlyMemory<float> Labels, ReadOnlyMemory<float> Scores);
