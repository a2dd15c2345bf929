using Microsoft.ML;

namespace ModelRetraining.Tests;

/// <summary>
/// <see cref="DriftMethod.Auto"/> against Evidently's default drift tests: the test it picks per column and the
/// value that test gives, on the cases of Evidently's own stat-test tests and values SciPy computes for the
/// formulas Evidently uses (evidently/legacy/calculations/stattests: registry.py, z_stattest.py,
/// chisquare_stattest.py, jensenshannon.py, psi.py, wasserstein_distance_norm.py, ks_stattest.py).
/// </summary>
public class EvidentlyParityTests
{
    private sealed class Row
    {
        public float N { get; set; }

        public string T { get; set; } = string.Empty;
    }

    private static IDataView Numbers(IEnumerable<float> values) => new MLContext(0).Data.LoadFromEnumerable(values.Select(v => new Row { N = v, T = "x" }).ToArray());

    private static IDataView Texts(IEnumerable<string> values) => new MLContext(0).Data.LoadFromEnumerable(values.Select(v => new Row { N = 0, T = v }).ToArray());

    private static IEnumerable<string> Repeat(params (string Value, int Count)[] counts) => counts.SelectMany(c => Enumerable.Repeat(c.Value, c.Count));

    private static IEnumerable<float> Repeat(params (float Value, int Count)[] counts) => counts.SelectMany(c => Enumerable.Repeat(c.Value, c.Count));

    private static ColumnDriftResult Compare(IDataView reference, IDataView current, string column, DriftOptions? options = null)
        => new DriftDetector(options ?? new DriftOptions()).Compare(reference, current, [column]).Columns[0];

    [Fact]
    public void TwoValuedText_SmallReference_IsEvidentlysZTest()
    {
        // Evidently's test_z_stattest: reference [a, a, b, b], current [a, b, a]: p ≈ 0.66.
        var result = Compare(Texts(["a", "a", "b", "b"]), Texts(["a", "b", "a"]), "T");
        Assert.Equal(DriftMethod.ZTest, result.Method);
        Assert.Equal(0.6592430036926307, result.PValue!.Value, 12);
        Assert.False(result.Drifted);
    }

    [Fact]
    public void TwoValuedNumeric_SmallReference_IsTheZTestToo_AndDriftsBelowTheThreshold()
    {
        var result = Compare(Numbers(Repeat((0f, 50), (1f, 50))), Numbers(Repeat((0f, 30), (1f, 70))), "N");
        Assert.Equal(DriftMethod.ZTest, result.Method);
        Assert.Equal(0.0038924171227785465, result.PValue!.Value, 12);
        Assert.True(result.Drifted);
        Assert.Contains("2 distinct values, compared as categories", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FourRowBinaryReference_IsNotDrift_AsEvidentlySays()
    {
        // The case a new user hit: a binary column with a 4-row reference. Chi-squared goodness of fit said
        // drift (p 0.021); Evidently's pooled Z-test, which accounts for the reference's own noise, does not.
        var result = Compare(Numbers([0, 0, 0, 1]), Numbers(Repeat((0f, 5), (1f, 5))), "N");
        Assert.Equal(DriftMethod.ZTest, result.Method);
        Assert.False(result.Drifted, result.Reason);
    }

    [Fact]
    public void SixCategories_SmallReference_IsEvidentlysChiSquared()
    {
        // Evidently's test_chi_stattest: p ≈ 0.67309.
        var keys = new[] { "1", "2", "3", "4", "5", "6" };
        var reference = Texts(keys.Zip([16, 18, 16, 14, 12, 12]).SelectMany(k => Enumerable.Repeat(k.First, k.Second)));
        var current = Texts(keys.Zip([16, 16, 16, 16, 16, 8]).SelectMany(k => Enumerable.Repeat(k.First, k.Second)));
        var result = Compare(reference, current, "T");
        Assert.Equal(DriftMethod.ChiSquared, result.Method);
        Assert.Equal(0.6730876006966301, result.PValue!.Value, 10);
    }

    [Fact]
    public void ThreeValuedNumeric_SmallReference_IsChiSquaredOverItsValues()
    {
        var result = Compare(Numbers(Repeat((1f, 10), (2f, 10), (3f, 10))), Numbers(Repeat((1f, 20), (2f, 5), (3f, 5))), "N");
        Assert.Equal(DriftMethod.ChiSquared, result.Method);
        Assert.Equal(0.0005530843701478337, result.PValue!.Value, 12);
        Assert.True(result.Drifted);
    }

    [Fact]
    public void ANewValue_InChiSquared_IsPZero_AsInEvidentlysTest()
    {
        // Evidently: reference [1, 4, 5], current [1, 2, 3] → drift score 0.
        var result = Compare(Numbers([1, 4, 5]), Numbers([1, 2, 3]), "N");
        Assert.Equal(DriftMethod.ChiSquared, result.Method);
        Assert.Equal(0, result.PValue);
        Assert.True(result.Drifted);
    }

    [Fact]
    public void Categories_LargeReference_AreJensenShannonOverShares_WithoutZeroFill()
    {
        var result = Compare(Texts(Repeat(("a", 1_200), ("b", 800))), Texts(Repeat(("a", 600), ("b", 200), ("c", 200))), "T");
        Assert.Equal(DriftMethod.JensenShannon, result.Method);
        Assert.Equal(0.2937764826114137, result.Statistic, 12);
        Assert.True(result.Drifted);
    }

    [Fact]
    public void FewValuedNumeric_LargeReference_IsJensenShannonOverItsValues()
    {
        var result = Compare(Numbers(Repeat((0f, 1_000), (1f, 1_000))), Numbers(Repeat((0f, 30), (1f, 70))), "N");
        Assert.Equal(DriftMethod.JensenShannon, result.Method);
        Assert.Equal(0.14493421163354447, result.Statistic, 12);
    }

    [Fact]
    public void ManyValuedNumeric_KeepsKsAndWasserstein_WithEvidentlysValues()
    {
        var reference = Numbers(Enumerable.Range(0, 100).Select(i => (float)i));
        var ks = Compare(reference, Numbers(Enumerable.Range(10, 100).Select(i => (float)i)), "N");
        Assert.Equal(DriftMethod.KolmogorovSmirnov, ks.Method);
        Assert.Equal(0.7020569828664881, ks.PValue!.Value, 10);
        Assert.Equal(0.03638428787491733, Compare(reference, Numbers(Enumerable.Range(20, 100).Select(i => (float)i)), "N").PValue!.Value, 10);

        var wasserstein = Compare(reference, Numbers(Enumerable.Range(10, 100).Select(i => (float)i)), "N", new DriftOptions().ForColumn("N", DriftMethod.Wasserstein));
        Assert.Equal(0.3464274833209975, wasserstein.Statistic, 10);
    }

    [Fact]
    public void Psi_FillsEmptySharesAsEvidently()
    {
        // An empty share is 0.0001 ...
        var small = Compare(Texts(Repeat(("a", 60), ("b", 40))), Texts(Repeat(("a", 60), ("b", 20), ("c", 20))), "T", new DriftOptions().ForColumn("T", DriftMethod.PopulationStabilityIndex));
        Assert.Equal(1.6580498377744515, small.Statistic, 10);

        // ... unless a share is that small already: then a millionth of the smallest (5e-5 / 1e6 here).
        Assert.Equal(8.058562309218967, DriftStatistics.PopulationStabilityIndex([19_999 / 20_000.0, 1 / 20_000.0, 0], [0.5, 0.25, 0.25]), 10);
    }

    [Fact]
    public void ZTest_OnAColumnWithThreeValues_IsRefusedNamingTheMethodToUse()
    {
        var result = Compare(Texts(["a", "b", "c"]), Texts(["a", "b", "c"]), "T", new DriftOptions().ForColumn("T", DriftMethod.ZTest));
        Assert.True(result.Drifted);
        Assert.Contains("use ChiSquared", result.Reason, StringComparison.Ordinal);
    }
}
