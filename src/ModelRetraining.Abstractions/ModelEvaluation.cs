namespace ModelRetraining;

/// <summary>One model's scores on the holdout.</summary>
/// <param name="Model">Which model: <c>candidate</c>, or <c>champion v3</c>.</param>
/// <param name="Metrics">The metrics by name, each with its direction.</param>
public sealed record ModelEvaluation(string Model, IReadOnlyDictionary<string, MetricValue> Metrics)
{
    /// <summary>Gets the per-row outputs, when the evaluator keeps them.</summary>
    public PerRowOutputs? Outputs { get; init; }

    /// <summary>Gets where the model ran for this evaluation (an ONNX Runtime execution provider), when the evaluator says.</summary>
    public string? ExecutionProvider { get; init; }

    /// <summary>Gets the metrics per slice of the holdout, when slices were asked for.</summary>
    public IReadOnlyList<SliceEvaluation> Slices { get; init; } = [];

    /// <summary>Gets the reliability table of a binary classifier's probabilities (10 equal-width bins), when it has probabilities.</summary>
    public IReadOnlyList<CalibrationBin> Calibration { get; init; } = [];
}
