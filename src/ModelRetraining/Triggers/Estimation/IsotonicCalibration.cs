namespace ModelRetraining;

/// <summary>
/// Isotonic regression of labels on scores (pool-adjacent-violators): a non-decreasing step function
/// that maps a raw score to the observed positive rate of scores like it.
/// </summary>
internal sealed class IsotonicCalibration
{
    private readonly double[] _thresholds;
    private readonly double[] _values;

    private IsotonicCalibration(double[] thresholds, double[] values)
    {
        _thresholds = thresholds;
        _values = values;
    }

    public static IsotonicCalibration Fit(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);

        // Blocks of (upper score, sum of labels, count); merge while a block's mean exceeds the next one's.
        var upper = new List<double>(order.Length);
        var sum = new List<double>(order.Length);
        var count = new List<double>(order.Length);
        for (var k = 0; k < order.Length; k++)
        {
            upper.Add(keys[k]);
            sum.Add(labels[order[k]] ? 1 : 0);
            count.Add(1);
            while (sum.Count > 1 && sum[^2] / count[^2] >= sum[^1] / count[^1])
            {
                sum[^2] += sum[^1];
                count[^2] += count[^1];
                upper[^2] = upper[^1];
                sum.RemoveAt(sum.Count - 1);
                count.RemoveAt(count.Count - 1);
                upper.RemoveAt(upper.Count - 1);
            }
        }

        return new IsotonicCalibration([.. upper], [.. sum.Select((s, i) => s / count[i])]);
    }

    public double Apply(double score)
    {
        var index = Array.BinarySearch(_thresholds, score);
        if (index < 0)
        {
            index = Math.Min(~index, _thresholds.Length - 1);
        }

        return _values[index];
    }
}
