namespace ModelRetraining.Tests;

/// <summary>
/// The profile's bulk path at sizes where it samples and vectorizes: the quantile sketch stays within
/// its stated error once values are sampled, the vectorized distinct count sets exactly the registers
/// the one-value path sets, and chunked builds and merges equal the single pass.
/// </summary>
public class ProfileAtScaleTests
{
    private static float[] Normal(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
    }

    private static ColumnarDataView Columnar(float[] values) => new([("X", DataColumnKind.Numeric, values)], values.Length);

    // The share of values at or below `estimate`, from the sorted values.
    private static double TrueRank(float[] sorted, double estimate)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= estimate)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return (double)lo / sorted.Length;
    }

    public static TheoryData<string> Orders => new() { "shuffled", "ascending", "descending" };

    [Theory]
    [MemberData(nameof(Orders))]
    public void Quantiles_OfASampledStream_AreWithinTheStatedRankError(string order)
    {
        // 3 M values: past 32 × SampleFloor, so the last values enter at level 5 (one in 32 kept).
        var values = Normal(3_000_000, 11);
        var sorted = values.Order().ToArray();
        var input = order switch { "ascending" => sorted, "descending" => sorted.Reverse().ToArray(), _ => values };
        var column = DataProfile.Create(Columnar(input))["X"]!;

        Assert.Equal(3_000_000, column.Count);
        Assert.True(column.RankError > 2.296 / Math.Pow(KllSketch.DefaultK, 0.9723), "the stated error includes the sampling once the stream is sampled");
        Assert.InRange(column.RankError, 0.012, 0.0135);
        Assert.Equal(sorted[0], column.Min);
        Assert.Equal(sorted[^1], column.Max);
        foreach (var q in new[] { 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999 })
        {
            var rank = TrueRank(sorted, column.Quantile(q));
            Assert.True(Math.Abs(rank - q) <= column.RankError, $"{order} q={q}: true rank of the estimate {rank}, bound {column.RankError}");
        }

        // Few values reach the sketch: it holds a few thousand whatever the stream's length.
        Assert.True(column.Sketch!.ToState().Levels.Sum(l => l.Length) < 4 * KllSketch.DefaultK * 3, "the sketch stays bounded");
    }

    [Fact]
    public void Sampling_IsDeterministic_TheSameStreamGivesTheSameSketch()
    {
        var values = Normal(1_500_000, 12);
        var first = DataProfile.Create(Columnar(values)).ToJson();
        var second = DataProfile.Create(Columnar(values)).ToJson();
        Assert.Equal(first, second);
    }

    [Fact]
    public void DistinctCount_Vectorized_SetsTheRegistersTheOneValuePathSets()
    {
        // A million distinct values lift every register, so the vector path's floor filter is exercised,
        // plus zeros of both signs, repeats and a length that is not a multiple of the vector width.
        var values = Enumerable.Range(0, 1_000_003).Select(i => i % 97 == 0 ? (i % 2 == 0 ? 0f : -0f) : (float)(i * 0.37)).ToArray();
        var bulk = new HyperLogLog();
        bulk.AddRange(values);
        var one = new HyperLogLog();
        foreach (var v in values)
        {
            one.AddHash(HyperLogLog.Hash(v));
        }

        Assert.Equal(one.State, bulk.State);
        Assert.InRange(bulk.Estimate(), 1_000_003 * 0.97 * (96.0 / 97), 1_000_003 * 1.03);

        // Negative zero is zero: one distinct value, in the vector lanes as in the one-value path.
        var negativeZeros = new HyperLogLog();
        negativeZeros.AddRange(Enumerable.Repeat(-0f, 16).ToArray());
        var zeros = new HyperLogLog();
        zeros.AddHash(HyperLogLog.Hash(0f));
        Assert.Equal(zeros.State, negativeZeros.State);
    }

    [Fact]
    public void Blocks_WithMissingAndInfiniteValues_CountThemApartAndKeepExactMoments()
    {
        // Non-finite values inside full vector blocks (not only in the scalar tail).
        var values = Normal(50_000, 13);
        for (var i = 0; i < values.Length; i += 101)
        {
            values[i] = i % 3 == 0 ? float.NaN : (i % 3 == 1 ? float.PositiveInfinity : float.NegativeInfinity);
        }

        var finite = values.Where(float.IsFinite).Select(v => (double)v).ToArray();
        var column = DataProfile.Create(Columnar(values))["X"]!;
        Assert.Equal(finite.Length, column.Count);
        Assert.Equal(values.Count(float.IsNaN), column.Missing);
        Assert.Equal(values.Count(float.IsInfinity), column.Infinite);
        var mean = finite.Average();
        Assert.Equal(mean, column.Mean, 10);
        Assert.Equal(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1), column.Variance, 9);
        Assert.Equal(finite.Min(), column.Min);
        Assert.Equal(finite.Max(), column.Max);
    }

    [Fact]
    public void EightChunks_BuiltOrMerged_EqualTheSinglePassWithinTheSketchesError()
    {
        var values = Normal(4_000_000, 14);
        var sorted = values.Order().ToArray();
        var single = DataProfile.Create(Columnar(values))["X"]!;
        var chunk = values.Length / 8;
        var builder = new DataProfileBuilder();
        DataProfile? merged = null;
        for (var c = 0; c < 8; c++)
        {
            var part = values[(c * chunk)..((c + 1) * chunk)];
            builder.Add(Columnar(part));
            var profile = DataProfile.Create(Columnar(part));
            merged = merged is null ? profile : merged.Merge(profile);
        }

        foreach (var column in new[] { builder.Build()["X"]!, merged!["X"]! })
        {
            Assert.Equal(single.Count, column.Count);
            Assert.Equal(single.Mean, column.Mean, 12);
            Assert.Equal(single.Variance, column.Variance, 10);
            Assert.Equal(single.Min, column.Min);
            Assert.Equal(single.Max, column.Max);

            // Distinct-count registers merge by maximum, which is exactly the single pass's registers.
            Assert.Equal(single.DistinctCount, column.DistinctCount);
            foreach (var q in new[] { 0.01, 0.1, 0.5, 0.9, 0.99 })
            {
                Assert.True(Math.Abs(TrueRank(sorted, column.Quantile(q)) - q) <= column.RankError, $"q={q}: chunked estimate off by more than {column.RankError}");
                Assert.True(Math.Abs(TrueRank(sorted, column.Quantile(q)) - TrueRank(sorted, single.Quantile(q))) <= column.RankError + single.RankError);
            }
        }
    }

    [Fact]
    public void Builder_ChunkWhoseColumnChangedType_IsRefusedAndChangesNothing()
    {
        var builder = new DataProfileBuilder().Add(Columnar(Normal(1_000, 15)));
        var before = builder.Build().ToJson();
        var changed = new ColumnarDataView([("Y", DataColumnKind.Numeric, Normal(10, 16)), ("X", DataColumnKind.Text, Enumerable.Repeat("a".AsMemory(), 10).ToArray())], 10);

        var error = Assert.Throws<InvalidOperationException>(() => builder.Add(changed));
        Assert.Contains("Column 'X'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, builder.Build().ToJson());
    }
}
