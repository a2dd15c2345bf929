namespace ModelRetraining.Serving.Tests;

public class LatencyHistogramTests
{
    [Fact]
    public void EveryValue_FallsInABucketWhoseMiddleIsWithinOnePointSixPercent()
    {
        var random = new Random(3);
        for (var i = 0; i < 100_000; i++)
        {
            var ms = Math.Exp((random.NextDouble() * 19) - 6.9); // 1 µs .. about 180 s
            var middle = LatencyHistogram.Middle(LatencyHistogram.Bucket(ms));
            Assert.InRange(middle / ms, 1 / 1.016, 1.016);
        }
    }

    [Fact]
    public void BucketsIncreaseWithTheValue_AndTheExtremesAreClamped()
    {
        var previous = 0;
        for (var ms = 0.001; ms < 500_000; ms *= 1.001)
        {
            var bucket = LatencyHistogram.Bucket(ms);
            Assert.True(bucket >= previous, $"{ms} ms");
            previous = bucket;
        }

        Assert.Equal(0, LatencyHistogram.Bucket(0));
        Assert.Equal(0, LatencyHistogram.Bucket(double.NaN));
        Assert.Equal(LatencyHistogram.Bucket(1e12), LatencyHistogram.Bucket(double.PositiveInfinity));
    }

    [Fact]
    public void Quantiles_OfAKnownDistribution_AreWithinTheBucketError_AndCountIsEveryCall()
    {
        var histogram = new LatencyHistogram();
        var values = Enumerable.Range(1, 10_000).Select(i => i * 0.01).ToArray(); // 0.01 .. 100 ms, uniform
        foreach (var v in values)
        {
            histogram.Add(v);
        }

        Assert.Equal(10_000, histogram.Count);
        var (p99, lower, upper) = histogram.Quantile(0.99, 0.05);
        Assert.InRange(p99, 99 / 1.016, 99 * 1.016);
        Assert.True(lower <= p99 && p99 <= upper);
        Assert.InRange(histogram.Quantile(0.5, 0.05).Value, 50 / 1.016, 50 * 1.016);
    }
}
