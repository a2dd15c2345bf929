namespace ModelRetraining;

/// <summary>
/// Paired comparisons of two models scored on the same rows: metrics from per-row outputs (optionally
/// weighted, for the bootstrap), a seeded Poisson bootstrap that sorts once and reuses the order,
/// DeLong's test for correlated AUCs, and McNemar's test for accuracy.
/// </summary>
internal static partial class PairedStatistics
{
    /// <summary>The metrics that can be recomputed from per-row outputs, with their direction.</summary>
    public static readonly IReadOnlyDictionary<string, MetricDirection> Supported = new Dictionary<string, MetricDirection>(StringComparer.Ordinal)
    {
        ["AUC"] = MetricDirection.HigherIsBetter,
        ["Accuracy"] = MetricDirection.HigherIsBetter,
        ["LogLoss"] = MetricDirection.LowerIsBetter,
        ["Brier"] = MetricDirection.LowerIsBetter,
        ["RMSE"] = MetricDirection.LowerIsBetter,
        ["MSE"] = MetricDirection.LowerIsBetter,
        ["MAE"] = MetricDirection.LowerIsBetter,
        ["MicroAccuracy"] = MetricDirection.HigherIsBetter,
        ["F1"] = MetricDirection.HigherIsBetter,
        ["Precision"] = MetricDirection.HigherIsBetter,
        ["Recall"] = MetricDirection.HigherIsBetter,
        ["R2"] = MetricDirection.HigherIsBetter,
        ["MAPE"] = MetricDirection.LowerIsBetter,
    };

    /// <summary>Computes a metric with per-row weights (all 1 for the plain metric). For AUC, <paramref name="order"/> is the rows sorted by score.</summary>
    public static double Metric(string metric, ReadOnlySpan<float> labels, ReadOnlySpan<float> scores, ReadOnlySpan<float> weights, ReadOnlySpan<int> order)
    {
        switch (metric)
        {
            case "AUC":
                return WeightedAuc(labels, scores, weights, order);
            case "F1" or "Precision" or "Recall":
            {
                double tp = 0, fp = 0, fn = 0;
                for (var i = 0; i < labels.Length; i++)
                {
                    var predicted = scores[i] >= 0.5f;
                    var actual = labels[i] > 0.5f;
                    tp += predicted && actual ? weights[i] : 0;
                    fp += predicted && !actual ? weights[i] : 0;
                    fn += !predicted && actual ? weights[i] : 0;
                }

                var precision = tp + fp == 0 ? 0 : tp / (tp + fp);
                var recall = tp + fn == 0 ? 0 : tp / (tp + fn);
                return metric switch
                {
                    "Precision" => precision,
                    "Recall" => recall,
                    _ => precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
                };
            }

            case "R2":
            {
                double sw = 0, sy = 0;
                for (var i = 0; i < labels.Length; i++)
                {
                    sw += weights[i];
                    sy += weights[i] * labels[i];
                }

                var average = sy / sw;
                double residual = 0, total = 0;
                for (var i = 0; i < labels.Length; i++)
                {
                    residual += weights[i] * (labels[i] - scores[i]) * (labels[i] - scores[i]);
                    total += weights[i] * (labels[i] - average) * (labels[i] - average);
                }

                return total == 0 ? double.NaN : 1 - (residual / total);
            }

            case "MAPE":
            {
                double errors = 0, counted = 0;
                for (var i = 0; i < labels.Length; i++)
                {
                    if (labels[i] != 0)
                    {
                        errors += weights[i] * Math.Abs((labels[i] - scores[i]) / labels[i]);
                        counted += weights[i];
                    }
                }

                return counted == 0 ? double.NaN : errors / counted;
            }

            case "MicroAccuracy":
            {
                double hit = 0, total = 0;
                for (var i = 0; i < labels.Length; i++)
                {
                    total += weights[i];
                    hit += labels[i] == scores[i] ? weights[i] : 0;
                }

                return hit / total;
            }
        }

        double sum = 0, weight = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            double y = labels[i], s = scores[i], w = weights[i];
            var loss = metric switch
            {
                "Accuracy" => (s >= 0.5 ? 1 : 0) == y ? 1 : 0,
                // In bits (base 2), as ML.NET's evaluators report it, so a margin means one thing in every criterion.
                "LogLoss" => -((y * Math.Log2(Math.Clamp(s, 1e-15, 1))) + ((1 - y) * Math.Log2(Math.Clamp(1 - s, 1e-15, 1)))),
                "Brier" => (s - y) * (s - y),
                "MAE" => Math.Abs(s - y),
                _ => (s - y) * (s - y),
            };
            sum += w * loss;
            weight += w;
        }

        var mean = sum / weight;
        return metric == "RMSE" ? Math.Sqrt(mean) : mean;
    }

    /// <summary>Rows sorted by score, for AUC.</summary>
    public static int[] Order(ReadOnlySpan<float> scores)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);
        return order;
    }

    /// <summary>AUC with weights: the weighted share of (positive, negative) pairs ranked correctly, ties counting half.</summary>
    public static double WeightedAuc(ReadOnlySpan<float> labels, ReadOnlySpan<float> scores, ReadOnlySpan<float> weights, ReadOnlySpan<int> order)
    {
        double negativesBelow = 0, correct = 0, positives = 0, negatives = 0;
        var i = 0;
        while (i < order.Length)
        {
            // A group of tied scores: its negatives count half against its positives.
            var score = scores[order[i]];
            double groupPositive = 0, groupNegative = 0;
            var j = i;
            while (j < order.Length && scores[order[j]] == score)
            {
                var row = order[j];
                if (labels[row] > 0.5f)
                {
                    groupPositive += weights[row];
                }
                else
                {
                    groupNegative += weights[row];
                }

                j++;
            }

            correct += groupPositive * (negativesBelow + (0.5 * groupNegative));
            negativesBelow += groupNegative;
            positives += groupPositive;
            negatives += groupNegative;
            i = j;
        }

        return positives == 0 || negatives == 0 ? double.NaN : correct / (positives * negatives);
    }

    /// <summary>
    /// The bootstrap distribution of candidate-minus-champion for a metric: each resample draws a
    /// Poisson(1) weight per row (the large-sample equivalent of resampling with replacement), so rows
    /// are never copied and the score order is sorted once.
    /// </summary>
    public static double[] BootstrapDifferences(string metric, ReadOnlySpan<float> labels, ReadOnlySpan<float> candidate, ReadOnlySpan<float> champion, int resamples, int seed)
    {
        var weights = new float[labels.Length];
        var differences = new double[resamples];
        var random = new SplitMix(seed);
        var sortedCandidate = metric == "AUC" ? new SortedScores(labels, candidate) : null;
        var sortedChampion = metric == "AUC" ? new SortedScores(labels, champion) : null;
        for (var r = 0; r < resamples; r++)
        {
            PoissonWeights(weights, ref random);
            differences[r] = sortedCandidate is not null
                ? sortedCandidate.Auc(weights) - sortedChampion!.Auc(weights)
                : Metric(metric, labels, candidate, weights, []) - Metric(metric, labels, champion, weights, []);
        }

        Array.Sort(differences);
        return differences;
    }

    // Poisson(1) by inverse CDF on 16-bit uniforms: four draws per 64-bit random number. The table's
    // resolution (1/65,536) only trims the far tail (P(k >= 8) is about 1e-5).
    private static readonly byte[] PoissonTable = BuildPoissonTable();

    private static void PoissonWeights(Span<float> weights, ref SplitMix random)
    {
        var table = PoissonTable;
        var i = 0;
        while (i < weights.Length)
        {
            var bits = random.Next();
            for (var j = 0; j < 4 && i < weights.Length; j++, i++)
            {
                weights[i] = table[(int)(bits & 0xFFFF)];
                bits >>= 16;
            }
        }
    }

    private static byte[] BuildPoissonTable()
    {
        var table = new byte[65_536];
        double p = Math.Exp(-1), cdf = p;
        byte k = 0;
        for (var u = 0; u < table.Length; u++)
        {
            while ((u + 0.5) / table.Length > cdf && k < 20)
            {
                k++;
                p /= k;
                cdf += p;
            }

            table[u] = k;
        }

        return table;
    }

    private struct SplitMix(long seed)
    {
        private ulong _state = (ulong)seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>One model's rows in score order, with labels and tie-group ends laid out for a branch-free weighted AUC pass.</summary>
    private sealed class SortedScores
    {
        private readonly int[] _order;
        private readonly float[] _label;
        private readonly bool[] _groupEnd;

        public SortedScores(ReadOnlySpan<float> labels, ReadOnlySpan<float> scores)
        {
            _order = Order(scores);
            _label = new float[_order.Length];
            _groupEnd = new bool[_order.Length];
            for (var k = 0; k < _order.Length; k++)
            {
                _label[k] = labels[_order[k]] > 0.5f ? 1 : 0;
                _groupEnd[k] = k + 1 == _order.Length || scores[_order[k + 1]] != scores[_order[k]];
            }
        }

        public double Auc(float[] weights)
        {
            double below = 0, correct = 0, positives = 0, negatives = 0, groupPositive = 0, groupNegative = 0;
            var order = _order;
            var label = _label;
            var end = _groupEnd;
            for (var k = 0; k < order.Length; k++)
            {
                double w = weights[order[k]];
                var positive = w * label[k];
                groupPositive += positive;
                groupNegative += w - positive;
                if (end[k])
                {
                    correct += groupPositive * (below + (0.5 * groupNegative));
                    below += groupNegative;
                    positives += groupPositive;
                    negatives += groupNegative;
                    groupPositive = groupNegative = 0;
                }
            }

            return positives == 0 || negatives == 0 ? double.NaN : correct / (positives * negatives);
        }
    }
}
