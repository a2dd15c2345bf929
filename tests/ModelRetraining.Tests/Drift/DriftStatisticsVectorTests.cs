using System.Text.Json;

namespace ModelRetraining.Tests;

/// <summary>
/// Our drift statistics against SciPy's on the same inputs (data/drift-vectors.json, made by
/// data/make_drift_vectors.py with Debian's SciPy). Tolerance 1e-9 relative; p-values below 1e-10
/// are compared to 1e-6 absolute instead, where both sides sit in floating-point underflow noise.
/// </summary>
public class DriftStatisticsVectorTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "drift-vectors.json"))).RootElement;

    private static float[] Sorted(JsonElement array)
    {
        var values = array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        RadixSort.Sort(values);
        return values;
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void Close(double expected, double actual, string what)
    {
        if (Math.Abs(expected) < 1e-10)
        {
            Assert.True(Math.Abs(actual - expected) < 1e-6, $"{what}: expected {expected:R}, got {actual:R}");
            return;
        }

        Assert.True(Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R} (relative {Math.Abs(actual - expected) / Math.Abs(expected):E2})");
    }

    [Fact]
    public void KolmogorovSmirnov_MatchesScipyExact()
    {
        var i = 0;
        foreach (var vector in Vectors.GetProperty("ks").EnumerateArray())
        {
            var a = Sorted(vector.GetProperty("a"));
            var b = Sorted(vector.GetProperty("b"));
            var d = DriftStatistics.KsStatistic(a, b);
            Close(vector.GetProperty("statistic").GetDouble(), d, $"KS statistic #{i}");
            var (p, exact) = DriftStatistics.KsPValue(d, a.Length, b.Length);
            Assert.True(exact);
            Close(vector.GetProperty("pvalue").GetDouble(), p, $"KS p-value #{i} (n={a.Length},{b.Length})");
            i++;
        }

        Assert.Equal(8, i);
    }

    [Fact]
    public void Wasserstein_MatchesScipy()
    {
        foreach (var vector in Vectors.GetProperty("wasserstein").EnumerateArray())
        {
            Close(vector.GetProperty("distance").GetDouble(), DriftStatistics.Wasserstein(Sorted(vector.GetProperty("a")), Sorted(vector.GetProperty("b"))), "Wasserstein");
        }
    }

    [Fact]
    public void JensenShannon_MatchesScipy()
    {
        foreach (var vector in Vectors.GetProperty("jensenshannon").EnumerateArray())
        {
            Close(vector.GetProperty("distance").GetDouble(), DriftStatistics.JensenShannon(Doubles(vector.GetProperty("p")), Doubles(vector.GetProperty("q"))), "Jensen-Shannon");
        }
    }

    [Fact]
    public void ChiSquared_MatchesScipy()
    {
        foreach (var vector in Vectors.GetProperty("chisquare").EnumerateArray())
        {
            var (statistic, p) = DriftStatistics.ChiSquared(Doubles(vector.GetProperty("observed")), Doubles(vector.GetProperty("expected")));
            Close(vector.GetProperty("statistic").GetDouble(), statistic, "chi-squared statistic");
            Close(vector.GetProperty("pvalue").GetDouble(), p, "chi-squared p-value");
        }
    }

    [Fact]
    public void RadixSort_SortsLikeArraySort()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 10_000).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 6)))).Append(-0f).Append(0f).Append(float.MaxValue).Append(float.MinValue).ToArray();
        var expected = values.ToArray();
        Array.Sort(expected);
        RadixSort.Sort(values);
        Assert.Equal(expected, values);
    }

    [Fact]
    public void BenjaminiHochberg_RejectsTheStepUpSet()
    {
        // p sorted: 0.001 0.008 0.039 0.041 0.042 0.06 0.074 0.205; q = 0.05, m = 8: thresholds k*q/m = 0.00625 0.0125 0.01875 0.025 ...
        var rejected = DriftStatistics.BenjaminiHochberg([0.041, 0.001, 0.205, 0.008, 0.039, 0.06, 0.042, 0.074], 0.05);
        Assert.Equal([false, true, false, true, false, false, false, false], rejected);
    }
}
