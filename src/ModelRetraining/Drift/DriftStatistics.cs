namespace ModelRetraining;

/// <summary>
/// The two-sample statistics behind drift detection, written to agree with SciPy on the same inputs
/// (see tests/ModelRetraining.Tests/data/drift-vectors.json and the script that makes it).
/// Numeric inputs are sorted spans without NaN or infinities.
/// </summary>
internal static class DriftStatistics
{
    /// <summary>The largest n1·n2 for which the KS p-value is computed exactly (path counting); above it the Kolmogorov limit with Stephens' correction is used.</summary>
    public const double ExactKsLimit = 1e7;

    /// <summary>Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs.</summary>
    public static double KsStatistic(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double n1 = a.Length, n2 = b.Length, d = 0;
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            d = Math.Max(d, Math.Abs((i / n1) - (j / n2)));
        }

        return d;
    }

    /// <summary>Two-sided p-value P(D ≥ d) of the two-sample KS test: exact by path counting for small samples, asymptotic otherwise.</summary>
    public static (double PValue, bool Exact) KsPValue(double d, int n1, int n2)
    {
        if (n1 == 0 || n2 == 0)
        {
            return (double.NaN, false);
        }

        if ((double)n1 * n2 <= ExactKsLimit)
        {
            return (Math.Clamp(KsExactSurvival(d, n1, n2), 0, 1), true);
        }

        var en = (double)n1 * n2 / (n1 + n2);
        var sqrt = Math.Sqrt(en);
        return (KolmogorovSurvival((sqrt + 0.12 + (0.11 / sqrt)) * d), false);
    }

    /// <summary>
    /// P(D ≥ d) for samples of sizes m and n, by following monotone lattice paths (Hodges 1957). It
    /// carries, per cell, the share of paths that have already left the band, as a convex combination
    /// of its two predecessors, so small p-values keep their relative precision (no 1 − P cancellation).
    /// </summary>
    private static double KsExactSurvival(double d, int m, int n)
    {
        if (m > n)
        {
            (m, n) = (n, m);
        }

        double md = m, nd = n;
        var q = (0.5 + Math.Floor((d * md * nd) - 1e-7)) / (md * nd);
        var v = new double[n + 1];
        for (var j = 1; j <= n; j++)
        {
            v[j] = j / nd > q ? 1 : v[j - 1];
        }

        for (var i = 1; i <= m; i++)
        {
            v[0] = i / md > q ? 1 : v[0];
            for (var j = 1; j <= n; j++)
            {
                v[j] = Math.Abs((i / md) - (j / nd)) > q ? 1 : ((i * v[j]) + (j * v[j - 1])) / (i + j);
            }
        }

        return v[n];
    }

    /// <summary>The survival function of the Kolmogorov distribution (SciPy's kstwobign.sf).</summary>
    public static double KolmogorovSurvival(double x)
    {
        if (x <= 0)
        {
            return 1;
        }

        if (x < 1)
        {
            // Small x: the Jacobi-theta form of the CDF converges fast.
            double sum = 0;
            var factor = -(Math.PI * Math.PI) / (8 * x * x);
            for (var k = 1; k < 100; k += 2)
            {
                var term = Math.Exp(factor * k * k);
                sum += term;
                if (term < 1e-18 * sum)
                {
                    break;
                }
            }

            return 1 - (Math.Sqrt(2 * Math.PI) / x * sum);
        }

        double total = 0;
        for (var k = 1; k < 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * x * x);
            total += (k % 2 == 1 ? 1 : -1) * term;
            if (term < 1e-18)
            {
                break;
            }
        }

        return Math.Clamp(2 * total, 0, 1);
    }

    /// <summary>The first Wasserstein distance between two samples (SciPy's wasserstein_distance): the area between their empirical CDFs.</summary>
    public static double Wasserstein(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double n1 = a.Length, n2 = b.Length, area = 0;
        int i = 0, j = 0;
        double previous = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            double x = i < a.Length && (j >= b.Length || a[i] <= b[j]) ? a[i] : b[j];
            area += Math.Abs((i / n1) - (j / n2)) * (x - previous);
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            previous = x;
        }

        return area;
    }

    /// <summary>The Jensen–Shannon distance with natural logarithms (SciPy's jensenshannon): both vectors are normalized first.</summary>
    public static double JensenShannon(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        double sp = 0, sq = 0;
        for (var i = 0; i < p.Length; i++)
        {
            sp += p[i];
            sq += q[i];
        }

        double total = 0;
        for (var i = 0; i < p.Length; i++)
        {
            double pi = p[i] / sp, qi = q[i] / sq, mi = (pi + qi) / 2;
            total += RelativeEntropy(pi, mi) + RelativeEntropy(qi, mi);
        }

        return Math.Sqrt(Math.Max(total, 0) / 2);
    }

    private static double RelativeEntropy(double x, double y) => x > 0 && y > 0 ? x * Math.Log(x / y) : x == 0 && y >= 0 ? 0 : double.PositiveInfinity;

    /// <summary>The population stability index of two share vectors, with empty bins filled as Evidently does (see <see cref="ZeroFill"/>).</summary>
    public static double PopulationStabilityIndex(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var fillReference = ZeroFill(reference);
        var fillCurrent = ZeroFill(current);
        double psi = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            var r = reference[i] == 0 ? fillReference : reference[i];
            var c = current[i] == 0 ? fillCurrent : current[i];
            psi += (c - r) * Math.Log(c / r);
        }

        return psi;
    }

    // Evidently's fill for an empty share: 0.0001, or a millionth of the smallest share when that is 0.0001
    // or less (large samples have such shares; a fixed 0.0001 would then exceed them).
    private static double ZeroFill(ReadOnlySpan<double> shares)
    {
        var smallest = double.PositiveInfinity;
        foreach (var share in shares)
        {
            smallest = share > 0 ? Math.Min(smallest, share) : smallest;
        }

        return smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
    }

    /// <summary>The L-infinity distance of two share vectors: the largest change of one category's share.</summary>
    public static double LInfinity(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        double max = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            max = Math.Max(max, Math.Abs(reference[i] - current[i]));
        }

        return max;
    }

    /// <summary>Pearson's chi-squared goodness-of-fit test (SciPy's chisquare): statistic and p-value with k − 1 degrees of freedom.</summary>
    public static (double Statistic, double PValue) ChiSquared(ReadOnlySpan<double> observed, ReadOnlySpan<double> expected)
    {
        double statistic = 0;
        for (var i = 0; i < observed.Length; i++)
        {
            var difference = observed[i] - expected[i];
            statistic += difference * difference / expected[i];
        }

        return (statistic, ChiSquaredSurvival(statistic, observed.Length - 1));
    }

    /// <summary>
    /// The pooled two-proportion Z-test of Evidently's <c>z</c> test: the share of the second value in each
    /// sample, two-sided p = 2 (1 − Φ(|z|)), computed as the chi-squared(1) tail of z² (equal, and exact in the tail).
    /// </summary>
    public static (double Z, double PValue) TwoProportionZ(double referenceSecond, double referenceTotal, double currentSecond, double currentTotal)
    {
        var p1 = referenceSecond / referenceTotal;
        var p2 = currentSecond / currentTotal;
        var pooled = (referenceSecond + currentSecond) / (referenceTotal + currentTotal);
        if (pooled is <= 0 or >= 1)
        {
            return (0, 1); // both samples hold the same single value
        }

        var z = (p1 - p2) / Math.Sqrt(pooled * (1 - pooled) * ((1 / referenceTotal) + (1 / currentTotal)));
        return (z, ChiSquaredSurvival(z * z, 1));
    }

    /// <summary>P(X ≥ x) for a chi-squared variable with <paramref name="degrees"/> degrees of freedom: the regularized upper incomplete gamma Q(k/2, x/2).</summary>
    public static double ChiSquaredSurvival(double x, int degrees)
        => degrees <= 0 ? double.NaN : x <= 0 ? 1 : UpperRegularizedGamma(degrees / 2.0, x / 2.0);

    private static double UpperRegularizedGamma(double a, double x)
    {
        var logPrefix = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1)
        {
            // Series for the lower function P, then Q = 1 − P.
            double term = 1 / a, sum = term;
            for (var n = 1; n < 10_000; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * 1e-17)
                {
                    break;
                }
            }

            return 1 - (sum * Math.Exp(logPrefix));
        }

        // Continued fraction for Q (modified Lentz).
        const double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, dd = 1 / b, h = dd;
        for (var i = 1; i < 10_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            dd = (an * dd) + b;
            if (Math.Abs(dd) < tiny)
            {
                dd = tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }

            dd = 1 / dd;
            var delta = dd * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-17)
            {
                break;
            }
        }

        return Math.Exp(logPrefix) * h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 607/128, 15 terms; about 1e-15 relative).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> c =
        [
            0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174,
            -0.49191381609762019978, .33994649984811888699e-4, .46523628927048575665e-4, -.98374475304879564677e-4,
            .15808870322491248884e-3, -.21026444172410488319e-3, .21743961811521264320e-3, -.16431810653676389022e-3,
            .84418223983852743293e-4, -.26190838401581408670e-4, .36899182659531622704e-5,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = c[0];
        for (var i = 1; i < c.Length; i++)
        {
            sum += c[i] / (x + i);
        }

        const double g = 607.0 / 128.0;
        var t = x + g + 0.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>Benjamini–Hochberg: which hypotheses to reject so that the expected false-discovery rate stays at or below <paramref name="q"/>.</summary>
    public static bool[] BenjaminiHochberg(IReadOnlyList<double> pValues, double q)
    {
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).Where(i => !double.IsNaN(pValues[i])).OrderBy(i => pValues[i]).ToArray();
        var rejected = new bool[m];
        var cutoff = -1;
        for (var k = 0; k < order.Length; k++)
        {
            if (pValues[order[k]] <= (k + 1) * q / order.Length)
            {
                cutoff = k;
            }
        }

        for (var k = 0; k <= cutoff; k++)
        {
            rejected[order[k]] = true;
        }

        return rejected;
    }
}
