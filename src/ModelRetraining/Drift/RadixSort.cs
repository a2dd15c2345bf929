using System.Numerics;

namespace ModelRetraining;

/// <summary>
/// LSD radix sort of floats and doubles (11-bit passes over order-preserving unsigned keys): linear
/// time, which is what makes exact two-sample tests on millions of rows cheap. NaN must be removed first.
/// </summary>
internal static class RadixSort
{
    public static void Sort(Span<float> values)
    {
        if (values.Length < 256)
        {
            values.Sort();
            return;
        }

        Sort(values, new uint[values.Length], new uint[values.Length]);
    }

    /// <summary>Sorts floats (no NaN) with caller-owned key buffers at least as long as <paramref name="values"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Sort(Span<float> values, uint[] keys, uint[] scratch)
    {
        if (values.Length < 256)
        {
            values.Sort();
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(values[i] == 0f ? 0f : values[i]);
            keys[i] = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        }

        var sorted = Passes(keys, scratch, values.Length, 32);
        for (var i = 0; i < values.Length; i++)
        {
            var key = sorted[i];
            values[i] = BitConverter.UInt32BitsToSingle((key & 0x8000_0000u) != 0 ? key & 0x7FFF_FFFFu : ~key);
        }
    }

    /// <summary>Sorts doubles (no NaN) with caller-owned key buffers at least as long as <paramref name="values"/>.</summary>
    public static void Sort(Span<double> values, ulong[] keys, ulong[] scratch)
    {
        if (values.Length < 256)
        {
            values.Sort();
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            var bits = BitConverter.DoubleToUInt64Bits(values[i] == 0d ? 0d : values[i]);
            keys[i] = (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
        }

        var sorted = Passes(keys, scratch, values.Length, 64);
        for (var i = 0; i < values.Length; i++)
        {
            var key = sorted[i];
            values[i] = BitConverter.UInt64BitsToDouble((key & 0x8000_0000_0000_0000UL) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFUL : ~key);
        }
    }

    // Counting passes over 11-bit digits, least significant first; returns the buffer holding the result.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static T[] Passes<T>(T[] source, T[] target, int n, int keyBits)
        where T : IBinaryInteger<T>, IUnsignedNumber<T>
    {
        Span<int> counts = stackalloc int[2048];
        var mask = T.CreateTruncating(0x7FF);
        for (var shift = 0; shift < keyBits; shift += 11)
        {
            counts.Clear();
            for (var i = 0; i < n; i++)
            {
                counts[int.CreateTruncating((source[i] >> shift) & mask)]++;
            }

            var total = 0;
            for (var b = 0; b < 2048; b++)
            {
                var c = counts[b];
                counts[b] = total;
                total += c;
            }

            for (var i = 0; i < n; i++)
            {
                var key = source[i];
                target[counts[int.CreateTruncating((key >> shift) & mask)]++] = key;
            }

            (source, target) = (target, source);
        }

        return source;
    }
}
