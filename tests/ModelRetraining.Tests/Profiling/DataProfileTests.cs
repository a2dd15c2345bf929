using Microsoft.ML;

namespace ModelRetraining.Tests;

public class DataProfileTests
{
    private sealed class NumberRow
    {
        public float X { get; set; }
    }

    private sealed class TextRow
    {
        public string Category { get; set; } = string.Empty;
    }

    private static IDataView Numbers(IEnumerable<float> values) => new MLContext(1).Data.LoadFromEnumerable(values.Select(v => new NumberRow { X = v }).ToArray());

    private static IDataView Texts(IEnumerable<string> values) => new MLContext(1).Data.LoadFromEnumerable(values.Select(v => new TextRow { Category = v }).ToArray());

    private static float[] Normal(int n, int seed, double mean = 0, double std = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(mean + (std * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))).ToArray();
    }

    [Fact]
    public void Create_Numeric_MomentsExactQuantilesWithinTheStatedRankError()
    {
        var values = Normal(100_000, 1, mean: 5, std: 2);
        var profile = DataProfile.Create(Numbers(values))["X"]!;
        Assert.Equal(100_000, profile.Count);
        Assert.Equal(values.Average(v => (double)v), profile.Mean, 9);
        var mean = values.Average(v => (double)v);
        Assert.Equal(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1), profile.Variance, 6);
        Assert.Equal(values.Min(), profile.Min);
        Assert.Equal(values.Max(), profile.Max);
        var sorted = values.Order().ToArray();
        foreach (var q in new[] { 0.01, 0.25, 0.5, 0.75, 0.99 })
        {
            var estimate = profile.Quantile(q);
            var rank = (double)sorted.Count(v => v <= estimate) / sorted.Length;
            Assert.True(Math.Abs(rank - q) <= profile.RankError, $"q={q}: true rank of the estimate {rank}, error bound {profile.RankError}");
        }

        Assert.InRange(profile.RankError, 0.005, 0.015);
        Assert.InRange(profile.DistinctCount, 100_000 * 0.97, 100_000 * 1.03);
    }

    [Fact]
    public void Create_MissingAndInfiniteValues_AreCountedApartFromMoments()
    {
        var profile = DataProfile.Create(Numbers([1, 2, float.NaN, float.PositiveInfinity, 3, float.NegativeInfinity, float.NaN]))["X"]!;
        Assert.Equal(3, profile.Count);
        Assert.Equal(2, profile.Missing);
        Assert.Equal(2, profile.Infinite);
        Assert.Equal(2, profile.Mean, 12);
        Assert.Equal(2.0 / 7, profile.MissingShare, 12);
    }

    [Fact]
    public void Merge_OfChunks_EqualsTheProfileOfTheWhole()
    {
        var values = Normal(60_000, 2);
        var whole = DataProfile.Create(Numbers(values))["X"]!;
        var merged = DataProfile.Create(Numbers(values[..20_000])).Merge(DataProfile.Create(Numbers(values[20_000..45_000]))).Merge(DataProfile.Create(Numbers(values[45_000..])));
        var column = merged["X"]!;
        Assert.Equal(60_000, merged.RowCount);
        Assert.Equal(whole.Count, column.Count);
        Assert.Equal(whole.Mean, column.Mean, 9);
        Assert.Equal(whole.Variance, column.Variance, 9);
        Assert.Equal(whole.Min, column.Min);
        Assert.InRange(column.DistinctCount, whole.DistinctCount * 0.99, whole.DistinctCount * 1.01);
        Assert.True(Math.Abs(column.Cdf(0) - 0.5) <= column.RankError);
    }

    [Fact]
    public void ToJson_RoundTrips_SketchesIncluded()
    {
        var profile = DataProfile.Create(Numbers(Normal(20_000, 3)));
        var copy = DataProfile.FromJson(profile.ToJson());
        Assert.Equal(profile.RowCount, copy.RowCount);
        Assert.Equal(profile["X"]!.Mean, copy["X"]!.Mean);
        Assert.Equal(profile["X"]!.Quantile(0.9), copy["X"]!.Quantile(0.9));
        Assert.Equal(profile["X"]!.DistinctCount, copy["X"]!.DistinctCount);
        Assert.Throws<InvalidDataException>(() => DataProfile.FromJson("{\"not\":\"a profile\"}"));
    }

    [Fact]
    public void Create_Categorical_CountsValuesExactlyAtLowCardinality()
    {
        var profile = DataProfile.Create(Texts(["a", "b", "a", "", "c", "a"]))["Category"]!;
        Assert.Equal(DataColumnKind.Text, profile.Kind);
        Assert.Equal(5, profile.Count);
        Assert.Equal(1, profile.Missing);
        Assert.Equal(new KeyValuePair<string, long>("a", 3), profile.TopValues[0]);
        Assert.Equal(3, profile.DistinctCount);
    }

    [Fact]
    public void Create_CategoricalWith100000DistinctValues_StaysBounded()
    {
        var values = Enumerable.Range(0, 300_000).Select(i => i < 100_000 ? $"id-{i}" : $"hot-{i % 7}");
        var profile = DataProfile.Create(Texts(values));
        var column = profile["Category"]!;
        Assert.InRange(column.DistinctCount, 100_007 * 0.97, 100_007 * 1.03);
        Assert.True(column.Frequent!.Counts.Count <= 1024);
        Assert.Equal("hot-0", column.TopValues.Select(kv => kv.Key).Order(StringComparer.Ordinal).First());
        Assert.True(profile.ToJson().Length < 200_000, $"profile JSON is {profile.ToJson().Length} characters");
    }

    [Fact]
    public void Histogram_CountsAddUpToThePresentValues()
    {
        var profile = DataProfile.Create(Numbers(Normal(10_000, 4)))["X"]!;
        var (edges, counts) = profile.Histogram(10);
        Assert.Equal(11, edges.Length);
        Assert.Equal(10_000, counts.Sum(), 6);
    }
}
