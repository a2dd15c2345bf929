namespace ModelRetraining;

// The paired tests on two models' per-row outputs (DeLong, McNemar), quantiles and the normal distribution they use.
internal static partial class PairedStatistics
{
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
