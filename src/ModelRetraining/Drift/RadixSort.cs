namespace ModelRetraining;

/// <summary>
/// LSD radix sort of 32-bit floats (three 11-bit passes over order-preserving keys): linear time,
/// which is what makes exact two-sample tests on millions of rows cheap. NaN must be removed first.
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

        var keys = new uint[values.Length];
        var scratch = new uint[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(values[i] == 0f ? 0f : values[i]);
            keys[i] = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        }

        Span<int> counts = stackalloc int[2048];
        var source = keys;
        var target = scratch;
        for (var shift = 0; shift < 32; shift += 11)
        {
            counts.Clear();
            foreach (var key in source)
            {
                counts[(int)((key >> shift) & 0x7FF)]++;
            }

            var total = 0;
            for (var b = 0; b < 2048; b++)
            {
                var c = counts[b];
                counts[b] = total;
                total += c;
            }

            foreach (var key in source)
            {
                target[counts[(int)((key >> shift) & 0x7FF)]++] = key;
            }

            (source, target) = (target, source);
        }

        for (var i = 0; i < values.Length; i++)
        {
            var key = source[i];
            var bits = (key & 0x8000_0000u) != 0 ? key & 0x7FFF_FFFFu : ~key;
            values[i] = BitConverter.UInt32BitsToSingle(bits);
        }
    }
}
