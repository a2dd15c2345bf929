using System.Runtime.Intrinsics;

namespace ModelRetraining;

/// <summary>
/// Vectorized sums over a block of floats for the profile's exact moments: the sum, min and max in
/// one pass, then the squared deviations from the block's mean in a second pass over the same
/// cache-resident block. Sums are kept in doubles, lane by lane, so they are as exact as a scalar
/// double sum (the order of additions differs, not their precision).
/// </summary>
internal static class FloatBlock
{
    /// <summary>Sums a block and finds its extremes; false, with nothing summed, when a value is NaN or infinite.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TrySummarizeFinite(ReadOnlySpan<float> block, out double sum, out float min, out float max)
    {
        sum = 0;
        min = float.PositiveInfinity;
        max = float.NegativeInfinity;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && block.Length >= Vector256<float>.Count)
        {
            var infinity = Vector256.Create(float.PositiveInfinity);
            var notFinite = Vector256<float>.Zero;
            var smallest = infinity;
            var largest = -infinity;
            Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
            for (; i <= block.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(block.Slice(i, Vector256<float>.Count));

                // |v| < ∞ is false for NaN and for ±∞ alike.
                notFinite |= ~Vector256.LessThan(Vector256.Abs(v), infinity);
                smallest = Vector256.Min(smallest, v);
                largest = Vector256.Max(largest, v);
                var (lower, upper) = Vector256.Widen(v);
                low += lower;
                high += upper;
            }

            if (notFinite != Vector256<float>.Zero)
            {
                return false;
            }

            sum = Vector256.Sum(low + high);
            for (var lane = 0; lane < Vector256<float>.Count; lane++)
            {
                min = Math.Min(min, smallest.GetElement(lane));
                max = Math.Max(max, largest.GetElement(lane));
            }
        }

        for (; i < block.Length; i++)
        {
            var v = block[i];
            if (!float.IsFinite(v))
            {
                sum = 0;
                return false;
            }

            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return true;
    }

    /// <summary>The sum of squared deviations of a block of finite values from <paramref name="mean"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double SquaredDeviations(ReadOnlySpan<float> block, double mean)
    {
        double total = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && block.Length >= Vector256<float>.Count)
        {
            var center = Vector256.Create(mean);
            Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
            for (; i <= block.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.Create(block.Slice(i, Vector256<float>.Count)));
                lower -= center;
                upper -= center;
                low += lower * lower;
                high += upper * upper;
            }

            total = Vector256.Sum(low + high);
        }

        for (; i < block.Length; i++)
        {
            var d = block[i] - mean;
            total += d * d;
        }

        return total;
    }
}
