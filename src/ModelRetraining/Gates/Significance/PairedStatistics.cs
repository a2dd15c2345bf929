namespace ModelRetraining;

/// <summary>
/// Paired comparisons of two models scored on the same rows: metrics from per-row outputs (optionally
/// weighted, for the bootstrap), a seeded Poisson bootstrap that sorts once and reuses the order,
/// DeLong's test for correlated AUCs, and McNemar's test for accuracy.
/// </summary>
internal static class PairedStatistics
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
                "LogLoss" => -((y * Math.Log(Math.Clamp(s, 1e-15, 1))) + ((1 - y) * Math.Log(Math.Clamp(1 - s, 1e-15, 1)))),
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

    /// <summary>The nearest-rank p-percentile of a sorted sample (a value that occurred, as latency budgets read it); NaN when empty.</summary>
    public static double NearestRank(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>The q-quantile of a sorted sample (linear interpolation).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    /// <summary>DeLong's test of two correlated AUCs on the same rows: the difference and its standard error.</summary>
    public static (double Difference, double StandardError) DeLong(ReadOnlySpan<float> labels, ReadOnlySpan<float> candidate, ReadOnlySpan<float> champion)
    {
        var positives = new List<int>();
        var negatives = new List<int>();
        for (var i = 0; i < labels.Length; i++)
        {
            (labels[i] > 0.5f ? positives : negatives).Add(i);
        }

        var (aucA, v10A, v01A) = Components(positives, negatives, candidate);
        var (aucB, v10B, v01B) = Components(positives, negatives, champion);
        double m = positives.Count, n = negatives.Count;
        var s10 = Covariance(v10A, v10B, v10A, v10B);
        var s01 = Covariance(v01A, v01B, v01A, v01B);
        var variance = ((s10.AA + s10.BB - (2 * s10.AB)) / m) + ((s01.AA + s01.BB - (2 * s01.AB)) / n);
        return (aucA - aucB, Math.Sqrt(Math.Max(variance, 0)));
    }

    private static (double Auc, double[] V10, double[] V01) Components(List<int> positives, List<int> negatives, ReadOnlySpan<float> scores)
    {
        // Placement values from midranks: O((m + n) log(m + n)).
        var negativeScores = new float[negatives.Count];
        for (var k = 0; k < negatives.Count; k++)
        {
            negativeScores[k] = scores[negatives[k]];
        }

        var positiveScores = new float[positives.Count];
        for (var k = 0; k < positives.Count; k++)
        {
            positiveScores[k] = scores[positives[k]];
        }

        Array.Sort(negativeScores);
        Array.Sort(positiveScores);
        var v10 = new double[positives.Count];
        for (var k = 0; k < positives.Count; k++)
        {
            var x = scores[positives[k]];
            v10[k] = (CountBelow(negativeScores, x) + (0.5 * CountEqual(negativeScores, x))) / negativeScores.Length;
        }

        var v01 = new double[negatives.Count];
        for (var k = 0; k < negatives.Count; k++)
        {
            var y = scores[negatives[k]];
            v01[k] = (positiveScores.Length - CountBelow(positiveScores, y) - CountEqual(positiveScores, y) + (0.5 * CountEqual(positiveScores, y))) / positiveScores.Length;
        }

        return (v10.Average(), v10, v01);
    }

    private static int CountBelow(float[] sorted, float x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int CountEqual(float[] sorted, float x)
    {
        var below = CountBelow(sorted, x);
        var end = below;
        while (end < sorted.Length && sorted[end] == x)
        {
            end++;
        }

        return end - below;
    }

    private static (double AA, double BB, double AB) Covariance(double[] a, double[] b, double[] a2, double[] b2)
    {
        double meanA = a.Average(), meanB = b.Average(), aa = 0, bb = 0, ab = 0;
        for (var i = 0; i < a.Length; i++)
        {
            aa += (a[i] - meanA) * (a2[i] - meanA);
            bb += (b[i] - meanB) * (b2[i] - meanB);
            ab += (a[i] - meanA) * (b[i] - meanB);
        }

        var d = a.Length - 1;
        return (aa / d, bb / d, ab / d);
    }

    /// <summary>McNemar's test on paired correctness: rows only the candidate gets right (b) against rows only the champion gets right (c).</summary>
    public static (long CandidateOnly, long ChampionOnly, double Statistic) McNemar(ReadOnlySpan<float> labels, ReadOnlySpan<float> candidate, ReadOnlySpan<float> champion, bool probabilities)
    {
        long b = 0, c = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var a = probabilities ? (candidate[i] >= 0.5f ? 1f : 0f) == labels[i] : candidate[i] == labels[i];
            var d = probabilities ? (champion[i] >= 0.5f ? 1f : 0f) == labels[i] : champion[i] == labels[i];
            if (a && !d)
            {
                b++;
            }
            else if (d && !a)
            {
                c++;
            }
        }

        // Continuity-corrected statistic, signed so that positive favours the candidate.
        var statistic = b + c == 0 ? 0 : Math.Sign(b - c) * Math.Max(Math.Abs(b - c) - 1, 0) / Math.Sqrt(b + c);
        return (b, c, statistic);
    }

    /// <summary>The standard normal upper tail P(Z ≥ z).</summary>
    public static double NormalUpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>The standard normal quantile, by bisection on the tail function.</summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }

        if (p >= 1)
        {
            return double.PositiveInfinity;
        }

        // Called a few times per decision, so plain bisection is fast enough and easy to trust.
        double lo = -40, hi = 40;
        for (var i = 0; i < 200; i++)
        {
            var mid = (lo + hi) / 2;
            if (1 - NormalUpperTail(mid) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    private static double Erfc(double x)
    {
        // Numerical Recipes' erfc with Chebyshev fit: relative error below 1.2e-7, enough for decisions at alpha.
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = c[^1];
        for (var i = c.Length - 2; i >= 0; i--)
        {
            poly = (poly * t) + c[i];
        }

        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }
}
