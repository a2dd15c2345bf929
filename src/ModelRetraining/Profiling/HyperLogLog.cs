namespace ModelRetraining;

/// <summary>HyperLogLog distinct-count estimate with 2^14 one-byte registers: standard error 0.81%, 16 KB per column, mergeable.</summary>
internal sealed class HyperLogLog
{
    private const int Precision = 14;
    private const int Registers = 1 << Precision;

    public HyperLogLog(byte[]? registers = null)
    {
        State = registers ?? new byte[Registers];
    }

    public byte[] State { get; }

    public void AddHash(ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        var rank = (byte)(System.Numerics.BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1);
        if (rank > State[index])
        {
            State[index] = rank;
        }
    }

    public void Merge(HyperLogLog other)
    {
        for (var i = 0; i < Registers; i++)
        {
            State[i] = Math.Max(State[i], other.State[i]);
        }
    }

    public long Estimate()
    {
        double sum = 0;
        var zeros = 0;
        foreach (var register in State)
        {
            sum += 1.0 / (1UL << register);
            if (register == 0)
            {
                zeros++;
            }
        }

        const double m = Registers;
        var alpha = 0.7213 / (1 + (1.079 / m));
        var estimate = alpha * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0)
        {
            estimate = m * Math.Log(m / zeros);
        }

        return (long)Math.Round(estimate);
    }

    public static ulong Hash(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value == 0 ? 0 : value);
        return Mix(bits);
    }

    public static ulong Hash(ReadOnlySpan<char> text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return Mix(hash);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
