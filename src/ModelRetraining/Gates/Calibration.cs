namespace ModelRetraining;

/// <summary>Reliability tables and expected calibration error of binary probabilities.</summary>
public static class Calibration
{
    /// <summary>Builds a reliability table with equal-width probability bins.</summary>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="probabilities">Predicted probabilities of the positive class.</param>
    /// <param name="bins">The number of bins.</param>
    /// <returns>One row per non-empty bin.</returns>
    public static IReadOnlyList<CalibrationBin> ReliabilityTable(ReadOnlySpan<float> labels, ReadOnlySpan<float> probabilities, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var count = new long[bins];
        var predicted = new double[bins];
        var observed = new double[bins];
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Clamp(probabilities[i], 0f, 1f);
            var bin = Math.Min((int)(p * bins), bins - 1);
            count[bin]++;
            predicted[bin] += p;
            observed[bin] += labels[i];
        }

        var table = new List<CalibrationBin>();
        for (var b = 0; b < bins; b++)
        {
            if (count[b] > 0)
            {
                table.Add(new CalibrationBin((double)b / bins, (double)(b + 1) / bins, count[b], predicted[b] / count[b], observed[b] / count[b]));
            }
        }

        return table;
    }

    /// <summary>The expected calibration error: the row-weighted mean gap between predicted and observed rates over the bins.</summary>
    /// <param name="table">A reliability table.</param>
    /// <returns>The error, in probability units.</returns>
    public static double ExpectedCalibrationError(IReadOnlyList<CalibrationBin> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var total = table.Sum(b => b.Rows);
        return total == 0 ? double.NaN : table.Sum(b => b.Rows * Math.Abs(b.MeanPredicted - b.ObservedRate)) / total;
    }
}
