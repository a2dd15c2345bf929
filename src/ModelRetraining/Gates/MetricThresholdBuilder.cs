namespace ModelRetraining;

/// <summary>Sets the bounds of one metric's value; returned by <see cref="PromotionGateBuilder.Metric(string)"/>.</summary>
public sealed class MetricThresholdBuilder
{
    private readonly PromotionGateBuilder _gate;
    private readonly string _metric;

    internal MetricThresholdBuilder(PromotionGateBuilder gate, string metric)
    {
        _gate = gate;
        _metric = metric;
    }

    /// <summary>The metric must be at least <paramref name="minimum"/> (inclusive).</summary>
    /// <param name="minimum">The lower bound.</param>
    /// <returns>The gate builder.</returns>
    public PromotionGateBuilder AtLeast(double minimum) => _gate.AddValueThreshold(_metric, minimum, null);

    /// <summary>The metric must be at most <paramref name="maximum"/> (inclusive).</summary>
    /// <param name="maximum">The upper bound.</param>
    /// <returns>The gate builder.</returns>
    public PromotionGateBuilder AtMost(double maximum) => _gate.AddValueThreshold(_metric, null, maximum);

    /// <summary>The metric must lie in [<paramref name="minimum"/>, <paramref name="maximum"/>] (inclusive).</summary>
    /// <param name="minimum">The lower bound.</param>
    /// <param name="maximum">The upper bound.</param>
    /// <returns>The gate builder.</returns>
    public PromotionGateBuilder Between(double minimum, double maximum) => _gate.AddValueThreshold(_metric, minimum, maximum);
}
