namespace ModelRetraining;

/// <summary>The label-free estimate of a metric on one chunk of predictions.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Value">The estimate.</param>
/// <param name="Lower">The lower alert threshold (the reference chunks' mean minus the multiplier times their standard deviation).</param>
/// <param name="Upper">The upper threshold.</param>
/// <param name="Rows">The predictions in the chunk.</param>
public sealed record PerformanceEstimate(EstimatedMetric Metric, double Value, double Lower, double Upper, int Rows)
{
    /// <summary>Gets a value indicating whether the estimate fell below the lower threshold (the model is likely doing worse than on the reference).</summary>
    public bool Alert => Value < Lower;

    /// <inheritdoc />
    public override string ToString()
        => FormattableString.Invariant($"estimated {Metric} {Value:F4} on {Rows} predictions (expected {Lower:F4}..{Upper:F4}){(Alert ? ": below the reference range" : string.Empty)}");
}
