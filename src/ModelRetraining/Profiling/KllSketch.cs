namespace ModelRetraining;

/// <summary>
/// KLL quantile sketch (Karnin, Lang, Liberty 2016) with k = 356: mergeable, bounded memory (a few
/// thousand doubles whatever the stream length), normalized rank error about 0.76% (99% confidence,
/// DataSketches' 2.296 / k^0.9723). Values are first gathered in a buffer that is radix-sorted and
/// merged into their level in one go, so every level stays sorted and compaction is a linear
/// merge, not a sort. Compaction offsets come from a seeded generator: the same stream gives the same sketch.
/// </summary>
/// <remarks>
/// Long streams are sampled before the sketch, as the KLL paper's sampler does for its lowest levels:
/// from 2^L × <see cref="SampleFloor"/> values on (L ≥ 1, so from 2 × SampleFloor), one value picked at
/// random from each run of 2^L enters level L (weight 2^L). Sorting, not the sketch's size, is what
/// costs per value, so from 131 k values on most values are skipped. The sampling adds at most
/// 2.576 / sqrt(3 × SampleFloor) = 0.58% to the rank error at 99% confidence (a run's pick counts its
/// whole weight or none, so its standard deviation is at most half its weight, and the phases'
/// variances sum to under n² / (3 × SampleFloor)); k is chosen so that with it the whole bound,
/// which <see cref="RankError"/> states, stays at 1.34%, where k = 200 alone gave 1.33%.
/// </remarks>
internal sealed partial class KllSketch
{
    public const int DefaultK = 356;

    /// <summary>The stream length, halved, from which values are sampled before the sketch.</summary>
    public const long SampleFloor = 1L << 16;
    private const int BufferSize = 8192;
    private readonly List<List<double>> _levels = [[]];
    private readonly double[] _buffer = new double[BufferSize];
    private readonly ulong[] _keys = new ulong[BufferSize];
    private readonly ulong[] _scratch = new ulong[BufferSize];
    private readonly float[] _floats = new float[BufferSize];
    private readonly uint[] _floatKeys = new uint[BufferSize];
    private readonly uint[] _floatScratch = new uint[BufferSize];
    private readonly double[] _widened = new double[BufferSize];
    private int _floatsBuffered;
    private int[] _capacities = [];
    private int _buffered;
    private ulong _random = 0x9E3779B97F4A7C15UL;

    // The level new values enter at (1 in 2^level is kept), which value of the current run of
    // 2^level is kept, and how many values go by before the next kept one.
    private int _entryLevel;
    private long _pickInRun;
    private long _untilPick;

    public KllSketch(int k = DefaultK)
    {
        K = k;
        RefreshCapacities();
    }

    public int K { get; }

    public long Count { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Gets the normalized rank error bound of this sketch (99% confidence), sampling included once the stream is long enough to be sampled.</summary>
    public double RankError => (2.296 / Math.Pow(K, 0.9723)) + (Count >= 2 * SampleFloor ? 2.576 / Math.Sqrt(3.0 * SampleFloor) : 0);

    public void Add(double value)
    {
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        if (Count >= NextLevelAt)
        {
            EnterLevel();
        }

        Count++;
        if (_entryLevel > 0)
        {
            if (_untilPick > 0)
            {
                _untilPick--;
                return;
            }

            NextPick();
        }

        _buffer[_buffered++] = value;
        if (_buffered == BufferSize)
        {
            Flush();
        }
    }

    /// <summary>Adds finite values in bulk.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void AddRange(ReadOnlySpan<float> values, float min, float max)
    {
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
        while (!values.IsEmpty)
        {
            if (Count >= NextLevelAt)
            {
                EnterLevel();
            }

            // A span never crosses the count at which the entry level goes up.
            var take = (int)Math.Min(values.Length, NextLevelAt - Count);
            var part = values[..take];
            Count += take;
            values = values[take..];
            if (_entryLevel == 0)
            {
                BufferFloats(part);
                continue;
            }

            for (var i = 0L; ; i++)
            {
                if (_untilPick >= part.Length - i)
                {
                    _untilPick -= part.Length - i;
                    break;
                }

                i += _untilPick;
                _floats[_floatsBuffered++] = part[(int)i];
                if (_floatsBuffered == BufferSize)
                {
                    Flush();
                }

                NextPick();
            }
        }
    }

    // The count at which the entry level goes up: level 0 below 2 × SampleFloor, then one more per doubling.
    private long NextLevelAt => 2 * SampleFloor << _entryLevel;

    // Moves to the entry level for the stream's count (several levels at once after a merge or a restore).
    private void EnterLevel()
    {
        var level = Count < 2 * SampleFloor ? 0 : 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(Count / SampleFloor));
        if (level == _entryLevel)
        {
            return;
        }

        Flush();
        _entryLevel = level;
        _pickInRun = (long)(NextRandom() & ((1UL << level) - 1));
        _untilPick = _pickInRun;
    }

    // The current run's value was kept: skip the rest of the run, then up to the next run's pick.
    private void NextPick()
    {
        var pick = (long)(NextRandom() & ((1UL << _entryLevel) - 1));
        _untilPick = (1L << _entryLevel) - 1 - _pickInRun + pick;
        _pickInRun = pick;
    }

    private void BufferFloats(ReadOnlySpan<float> values)
    {
        while (!values.IsEmpty)
        {
            var take = Math.Min(values.Length, BufferSize - _floatsBuffered);
            values[..take].CopyTo(_floats.AsSpan(_floatsBuffered));
            _floatsBuffered += take;
            values = values[take..];
            if (_floatsBuffered == BufferSize)
            {
                Flush();
            }
        }
    }

    public void Merge(KllSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Flush();
        other.Flush();
        while (_levels.Count < other._levels.Count)
        {
            _levels.Add([]);
        }

        for (var h = 0; h < other._levels.Count; h++)
        {
            _levels[h] = MergeSorted(_levels[h], other._levels[h]);
        }

        Count += other.Count;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        RefreshCapacities();
        Compact();
    }

    /// <summary>Estimated share of the stream at or below <paramref name="value"/>.</summary>
    public double Cdf(double value)
    {
        Flush();
        if (Count == 0)
        {
            return double.NaN;
        }

        if (value < Min)
        {
            return 0;
        }

        if (value >= Max)
        {
            return 1;
        }

        double weight = 0, total = 0;
        for (var h = 0; h < _levels.Count; h++)
        {
            var level = _levels[h];
            var w = (double)(1L << h);
            total += w * level.Count;
            int lo = 0, hi = level.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (level[mid] <= value)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            weight += w * lo;
        }

        return weight / total;
    }

    /// <summary>Estimated value at rank <paramref name="fraction"/> in [0, 1].</summary>
    public double Quantile(double fraction)
    {
        Flush();
        if (Count == 0)
        {
            return double.NaN;
        }

        if (fraction <= 0)
        {
            return Min;
        }

        if (fraction >= 1)
        {
            return Max;
        }

        var weighted = Weighted();
        double total = weighted.Sum(w => w.Weight), running = 0;
        foreach (var (item, weight) in weighted)
        {
            running += weight;
            if (running >= fraction * total)
            {
                return item;
            }
        }

        return Max;
    }

    /// <summary>The retained items with their weights, sorted by item.</summary>
    public List<(double Item, double Weight)> Weighted()
    {
        Flush();
        var weighted = new List<(double, double)>();
        for (var h = 0; h < _levels.Count; h++)
        {
            foreach (var item in _levels[h])
            {
                weighted.Add((item, 1L << h));
            }
        }

        weighted.Sort((x, y) => x.Item1.CompareTo(y.Item1));
        return weighted;
    }

    public KllState ToState()
    {
        Flush();
        return new(K, Count, Min, Max, _levels.Select(l => l.ToArray()).ToArray());
    }

    public static KllSketch FromState(KllState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var sketch = new KllSketch(state.K) { Count = state.Count, Min = state.Min, Max = state.Max };
        sketch._levels.Clear();
        foreach (var level in state.Levels)
        {
            var sorted = level.ToList();
            sorted.Sort();
            sketch._levels.Add(sorted);
        }

        if (sketch._levels.Count == 0)
        {
            sketch._levels.Add([]);
        }

        sketch.RefreshCapacities();
        return sketch;
    }
}
