using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelRetraining;

/// <summary>HyperLogLog distinct-count estimate with 2^14 one-byte registers: standard error 0.81%, 16 KB per column, mergeable.</summary>
internal sealed class HyperLogLog
{
    private const int Precision = 14;
    private const int Registers = 1 << Precision;

    // How many values the bulk path adds between two refreshes of the smallest register.
    private const int FloorRefresh = 8192;

    // The smallest register: a hash whose rank is not above it cannot change any register.
    private byte _floor;
    private int _sinceFloor;

    public HyperLogLog(byte[]? registers = null)
    {
        State = registers ?? new byte[Registers];
    }

    public byte[] State { get; }

    public void AddHash(ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        var rank = (byte)(BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1);
        if (rank > State[index])
        {
            State[index] = rank;
        }
    }

    /// <summary>
    /// Adds finite floats, each hashed as <see cref="Hash(double)"/> hashes it, so the registers are
    /// those the one-value path gives. With AVX-512 eight hashes are computed at once and a lane
    /// reaches the registers only when its rank is above the smallest register (a vector compare),
    /// which after the first few thousand distinct values is a small share of the lanes.
    /// </summary>
    public void AddRange(ReadOnlySpan<float> values)
    {
        var i = 0;
        if (Avx512DQ.IsSupported && values.Length >= Vector256<float>.Count)
        {
            i = AddVectorized(values);
        }

        for (; i < values.Length; i++)
        {
            AddHash(Hash(values[i]));
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int AddVectorized(ReadOnlySpan<float> values)
    {
        Span<ulong> lanes = stackalloc ulong[Vector512<ulong>.Count];
        var last = values.Length - Vector256<float>.Count;
        var i = 0;
        for (; i <= last; i += Vector256<float>.Count)
        {
            if (_sinceFloor >= FloorRefresh)
            {
                RefreshFloor();
            }

            _sinceFloor += Vector256<float>.Count;
            var widened = Avx512F.ConvertToVector512Double(Vector256.Create(values.Slice(i, Vector256<float>.Count)));
            var bits = Vector512.AndNot(widened.AsUInt64(), Vector512.Equals(widened, Vector512<double>.Zero).AsUInt64());
            var hash = Mix(bits);

            // rank > floor exactly when the rank word has at least `floor` leading zeros.
            var word = (hash << Precision) | Vector512.Create(1UL << (Precision - 1));
            var candidates = _floor == 0 ? 0xFFUL : Vector512.LessThan(word, Vector512.Create(1UL << (64 - _floor))).ExtractMostSignificantBits();
            if (candidates == 0)
            {
                continue;
            }

            hash.CopyTo(lanes);
            while (candidates != 0)
            {
                AddHash(lanes[BitOperations.TrailingZeroCount(candidates)]);
                candidates &= candidates - 1;
            }
        }

        return i;
    }

    // Registers only grow, so a floor once computed stays a lower bound until the next refresh.
    private void RefreshFloor()
    {
        _sinceFloor = 0;
        var smallest = Vector512.Create(byte.MaxValue);
        var registers = State.AsSpan();
        for (var i = 0; i < registers.Length; i += Vector512<byte>.Count)
        {
            smallest = Vector512.Min(smallest, Vector512.Create(registers.Slice(i, Vector512<byte>.Count)));
        }

        var floor = byte.MaxValue;
        for (var lane = 0; lane < Vector512<byte>.Count; lane++)
        {
            floor = Math.Min(floor, smallest.GetElement(lane));
        }

        _floor = floor;
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

    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z += Vector512.Create(0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >> 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
