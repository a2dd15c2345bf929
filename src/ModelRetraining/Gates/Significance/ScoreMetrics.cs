namespace ModelRetraining;

/// <summary>
/// Metrics computed from per-row labels and scores, as the gates' significance tests compute them: an
/// evaluator that scores rows itself (on ONNX Runtime, say) reports the same numbers the tests resample.
/// </summary>
public static class ScoreMetrics
{
    /// <summary>Gets the metrics that can be computed from per-row scores, with the direction in which each improves.</summary>
    public static IReadOnlyDictionary<string, MetricDirection> Supported => PairedStatistics.Supported;

    /// <summary>Computes each metric asked for, every row weighing the same.</summary>
    /// <param name="metrics">The metric names, from <see cref="Supported"/>.</param>
    /// <param name="labels">The label per row (0 or 1 for binary classification).</param>
    /// <param name="scores">The model's score per row (a probability for binary classification).</param>
    /// <returns>The metrics by name, with their directions.</returns>
    /// <exception cref="ArgumentException">A metric is not supported, or the spans differ in length.</exception>
    public static IReadOnlyDictionary<string, MetricValue> Compute(IEnumerable<string> metrics, ReadOnlySpan<float> labels, ReadOnlySpan<float> scores)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (labels.Length != scores.Length)
        {
            throw new ArgumentException($"There are {labels.Length} labels and {scores.Length} scores; each row needs one of each.", nameof(scores));
        }

        var order = PairedStatistics.Order(scores);
        var weights = new float[scores.Length];
        Array.Fill(weights, 1f);
        var result = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (!PairedStatistics.Supported.TryGetValue(metric, out var direction))
            {
                throw new ArgumentException($"The metric '{metric}' cannot be computed from per-row scores; supported: {string.Join(", ", PairedStatistics.Supported.Keys)}.", nameof(metrics));
            }

            result[metric] = new MetricValue(metric, PairedStatistics.Metric(metric, labels, scores, weights, order), direction);
        }

        return result;
    }

    /// <summary>The nearest-rank percentile of sorted values (the smallest value with at least <paramref name="p"/> of the values at or below it).</summary>
    /// <param name="sorted">The values, sorted ascending.</param>
    /// <param name="p">The share, in (0, 1].</param>
    /// <returns>The percentile; <see cref="double.NaN"/> when there are no values.</returns>
    public static double NearestRank(double[] sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return PairedStatistics.NearestRank(sorted, p);
    }

    /// <summary>The quantile of the standard normal distribution.</summary>
    /// <param name="p">The probability, in (0, 1).</param>
    /// <returns>The z such that P(Z ≤ z) = <paramref name="p"/>.</returns>
    public static double NormalQuantile(double p) => PairedStatistics.NormalQuantile(p);
}
