namespace ModelRetraining;

/// <summary>
/// KLL quantile sketch (Karnin, Lang, Liberty 2016) with k = 200: mergeable, bounded memory (a few
/// thousand doubles whatever the stream length), normalized rank error about 1.33% (99% confidence,
/// DataSketches' 2.296 / k^0.9723). Compaction offsets come from a seeded generator, so the same
/// stream gives the same sketch.
/// </summary>
internal sealed class KllSketch
{
    public const int DefaultK = 200;
    private readonly List<List<double>> _levels = [[]];
    private ulong _random = 0x9E3779B97F4A7C15UL;

    public KllSketch(int k = DefaultK)
    {
        K = k;
    }

    public int K { get; }

    public long Count { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Gets the normalized rank error bound of this sketch (99% confidence).</summary>
    public double RankError => 2.296 / Math.Pow(K, 0.9723);

    public void Add(double value)
    {
        _levels[0].Add(value);
        Count++;
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        if (_levels[0].Count >= Capacity(0))
        {
            Compress();
        }
    }

    public void Merge(KllSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        while (_levels.Count < other._levels.Count)
        {
            _levels.Add([]);
        }

        for (var h = 0; h < other._levels.Count; h++)
        {
            _levels[h].AddRange(other._levels[h]);
        }

        Count += other.Count;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Compress();
    }

    /// <summary>Estimated share of the stream at or below <paramref name="value"/>.</summary>
    public double Cdf(double value)
    {
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
            var w = (double)(1L << h);
            foreach (var item in _levels[h])
            {
                total += w;
                if (item <= value)
                {
                    weight += w;
                }
            }
        }

        return weight / total;
    }

    /// <summary>Estimated value at rank <paramref name="fraction"/> in [0, 1].</summary>
    public double Quantile(double fraction)
    {
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

    public KllState ToState() => new(K, Count, Min, Max, _levels.Select(l => l.ToArray()).ToArray());

    public static KllSketch FromState(KllState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var sketch = new KllSketch(state.K) { Count = state.Count, Min = state.Min, Max = state.Max };
        sketch._levels.Clear();
        foreach (var level in state.Levels)
        {
            sketch._levels.Add([.. level]);
        }

        if (sketch._levels.Count == 0)
        {
            sketch._levels.Add([]);
        }

        return sketch;
    }

    private int Capacity(int level)
    {
        var depth = _levels.Count - level - 1;
        return Math.Max(2, (int)Math.Ceiling(K * Math.Pow(2.0 / 3.0, depth)));
    }

    private void Compress()
    {
        while (true)
        {
            var total = 0;
            var capacity = 0;
            for (var h = 0; h < _levels.Count; h++)
            {
                total += _levels[h].Count;
                capacity += Capacity(h);
            }

            if (total < capacity)
            {
                return;
            }

            for (var h = 0; h < _levels.Count; h++)
            {
                if (_levels[h].Count >= Capacity(h))
                {
                    if (h + 1 == _levels.Count)
                    {
                        _levels.Add([]);
                    }

                    var level = _levels[h];
                    level.Sort();
                    var keep = level.Count % 2 == 1 ? level[^1] : double.NaN;
                    var count = level.Count - (level.Count % 2);
                    var offset = (int)(NextRandom() & 1);
                    var up = _levels[h + 1];
                    for (var i = offset; i < count; i += 2)
                    {
                        up.Add(level[i]);
                    }

                    level.Clear();
                    if (!double.IsNaN(keep))
                    {
                        level.Add(keep);
                    }

                    break;
                }
            }
        }
    }

    private ulong NextRandom()
    {
        _random ^= _random << 13;
        _random ^= _random >> 7;
        _random ^= _random << 17;
        return _random;
    }
}
