namespace ModelRetraining;

/// <summary>A metric value with its direction.</summary>
/// <param name="Name">The metric name, such as <c>AUC</c>.</param>
/// <param name="Value">The value.</param>
/// <param name="Direction">Which way the metric improves.</param>
public sealed record MetricValue(string Name, double Value, MetricDirection Direction)
{
    /// <summary>Gets how much better <paramref name="candidate"/> is than <paramref name="baseline"/>: positive means better, whatever the direction.</summary>
    /// <param name="candidate">The candidate's value.</param>
    /// <param name="baseline">The baseline's value.</param>
    /// <param name="direction">The metric's direction.</param>
    /// <returns>The signed improvement.</returns>
    public static double Improvement(double candidate, double baseline, MetricDirection direction)
        => direction == MetricDirection.HigherIsBetter ? candidate - baseline : baseline - candidate;
}
