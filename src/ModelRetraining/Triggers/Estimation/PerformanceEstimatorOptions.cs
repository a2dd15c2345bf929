namespace ModelRetraining;

/// <summary>Options of <see cref="ConfidenceBasedPerformanceEstimator"/>; NannyML's CBPE defaults.</summary>
public sealed class PerformanceEstimatorOptions
{
    /// <summary>Gets or sets the metric to estimate.</summary>
    /// <value>The default value is <see cref="EstimatedMetric.RocAuc"/>.</value>
    public EstimatedMetric Metric { get; set; } = EstimatedMetric.RocAuc;

    /// <summary>Gets or sets how many predictions make one chunk (an estimate is made per chunk).</summary>
    /// <value>The default value is 1,000.</value>
    public int ChunkSize { get; set; } = 1_000;

    /// <summary>Gets or sets the score at or above which the model predicts the positive class.</summary>
    /// <value>The default value is 0.5.</value>
    public double DecisionThreshold { get; set; } = 0.5;

    /// <summary>Gets or sets how many standard deviations of the reference chunks' estimates the alert thresholds lie from their mean.</summary>
    /// <value>The default value is 3.</value>
    public double StandardDeviations { get; set; } = 3;

    /// <summary>Gets or sets whether scores are recalibrated (isotonic regression on the reference) before estimating; <see langword="null"/> decides by whether calibration lowers the Brier score on held-out reference folds.</summary>
    /// <value>The default value is <see langword="null"/> (decide).</value>
    public bool? Calibrate { get; set; }

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ChunkSize < 10)
        {
            errors.Add($"{nameof(ChunkSize)} must be at least 10; it is {ChunkSize}.");
        }

        if (!(DecisionThreshold is > 0 and < 1))
        {
            errors.Add($"{nameof(DecisionThreshold)} must lie strictly between 0 and 1; it is {DecisionThreshold}.");
        }

        if (!(StandardDeviations > 0) || !double.IsFinite(StandardDeviations))
        {
            errors.Add($"{nameof(StandardDeviations)} must be a positive number; it is {StandardDeviations}.");
        }

        if (!Enum.IsDefined(Metric))
        {
            errors.Add($"{nameof(Metric)} {(int)Metric} is not an {nameof(EstimatedMetric)}.");
        }

        return errors;
    }
}
