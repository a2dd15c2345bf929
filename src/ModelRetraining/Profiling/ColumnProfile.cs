using System.Text.Json.Serialization;

namespace ModelRetraining;

/// <summary>
/// One column's profile from one streaming pass: counts, missing values, moments (Welford), a KLL
/// quantile sketch, a HyperLogLog distinct count and frequent values. Mergeable and serializable.
/// </summary>
public sealed class ColumnProfile
{
    private KllSketch? _sketch;
    private HyperLogLog _distinct = new();
    private FrequentItems? _frequent;

    internal ColumnProfile(string name, DataColumnKind kind)
    {
        Name = name;
        Kind = kind;
        if (kind is DataColumnKind.Numeric or DataColumnKind.DateTime)
        {
            _sketch = new KllSketch();
        }
        else
        {
            _frequent = new FrequentItems();
        }
    }

    /// <summary>Gets the column name.</summary>
    public string Name { get; }

    /// <summary>Gets the column type.</summary>
    public DataColumnKind Kind { get; }

    /// <summary>Gets the number of present (non-missing, finite) values.</summary>
    public long Count { get; private set; }

    /// <summary>Gets the number of missing values (NaN, empty text).</summary>
    public long Missing { get; private set; }

    /// <summary>Gets the number of infinite values, which are counted apart and kept out of moments and sketches.</summary>
    public long Infinite { get; private set; }

    /// <summary>Gets the share of rows with a missing value.</summary>
    public double MissingShare => Count + Missing + Infinite == 0 ? 0 : (double)Missing / (Count + Missing + Infinite);

    /// <summary>Gets the smallest present value (numeric columns).</summary>
    public double Min => _sketch?.Count > 0 ? _sketch.Min : double.NaN;

    /// <summary>Gets the largest present value (numeric columns).</summary>
    public double Max => _sketch?.Count > 0 ? _sketch.Max : double.NaN;

    /// <summary>Gets the mean (numeric columns).</summary>
    public double Mean { get; private set; } = double.NaN;

    /// <summary>Gets the sample variance (numeric columns).</summary>
    public double Variance => Count > 1 ? M2 / (Count - 1) : double.NaN;

    /// <summary>Gets the sample standard deviation (numeric columns).</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>Gets the estimated number of distinct present values (HyperLogLog, 0.81% standard error).</summary>
    public long DistinctCount => _distinct.Estimate();

    /// <summary>Gets the normalized rank error of <see cref="Quantile"/> and the CDF (99% confidence), or 0 for text columns.</summary>
    public double RankError => _sketch?.RankError ?? 0;

    /// <summary>Gets the most frequent values with their counts (text and Boolean columns), largest first; exact while the column has at most 1,024 distinct values.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> TopValues
        => _frequent is null ? [] : _frequent.Counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(20).ToArray();

    internal double M2 { get; private set; }

    internal KllSketch? Sketch => _sketch;

    internal FrequentItems? Frequent => _frequent;

    /// <summary>Estimates the value at a rank in [0, 1] (numeric columns), within <see cref="RankError"/>.</summary>
    /// <param name="fraction">The rank.</param>
    /// <returns>The value, or NaN for an empty or text column.</returns>
    public double Quantile(double fraction) => _sketch?.Quantile(fraction) ?? double.NaN;

    /// <summary>Estimates the share of present values at or below <paramref name="value"/> (numeric columns).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The share, or NaN for an empty or text column.</returns>
    public double Cdf(double value) => _sketch?.Cdf(value) ?? double.NaN;

    /// <summary>An equal-width histogram of the present values between <see cref="Min"/> and <see cref="Max"/>, estimated from the sketch.</summary>
    /// <param name="bins">The number of bins.</param>
    /// <returns>The bin edges (bins + 1) and the estimated count per bin.</returns>
    public (double[] Edges, double[] Counts) Histogram(int bins = 20)
    {
        if (_sketch is null || _sketch.Count == 0 || bins < 1)
        {
            return ([], []);
        }

        var edges = new double[bins + 1];
        var counts = new double[bins];
        var width = (Max - Min) / bins;
        for (var i = 0; i <= bins; i++)
        {
            edges[i] = Min + (i * width);
        }

        var previous = 0.0;
        for (var i = 0; i < bins; i++)
        {
            var cdf = i == bins - 1 ? 1 : _sketch.Cdf(edges[i + 1]);
            counts[i] = (cdf - previous) * Count;
            previous = cdf;
        }

        return (edges, counts);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void AddNumeric(ReadOnlySpan<float> values)
    {
        // Moments per block (two vectorized passes over a cache-resident block), merged with Chan's
        // formula: as exact as Welford, without a division per value. A block with a missing or
        // infinite value is first compacted to its finite values, which then take the same path.
        const int block = 4096;
        Span<float> finite = stackalloc float[block];
        for (var start = 0; start < values.Length; start += block)
        {
            scoped var chunk = values.Slice(start, Math.Min(block, values.Length - start));
            if (!FloatBlock.TrySummarizeFinite(chunk, out var sum, out var min, out var max))
            {
                // The block holds a missing or infinite value: keep its finite values, summed as they go.
                (sum, min, max) = (0, float.PositiveInfinity, float.NegativeInfinity);
                var n = 0;
                foreach (var v in chunk)
                {
                    if (float.IsFinite(v))
                    {
                        finite[n++] = v;
                        sum += v;
                        min = Math.Min(min, v);
                        max = Math.Max(max, v);
                    }
                    else if (float.IsNaN(v))
                    {
                        Missing++;
                    }
                    else
                    {
                        Infinite++;
                    }
                }

                if (n == 0)
                {
                    continue;
                }

                chunk = finite[..n];
            }

            _distinct.AddRange(chunk);
            _sketch!.AddRange(chunk, min, max);
            var mean = sum / chunk.Length;
            Combine(chunk.Length, mean, FloatBlock.SquaredDeviations(chunk, mean));
        }
    }

    internal void AddNumeric(double value)
    {
        if (double.IsNaN(value))
        {
            Missing++;
            return;
        }

        if (double.IsInfinity(value))
        {
            Infinite++;
            return;
        }

        _sketch!.Add(value);
        _distinct.AddHash(HyperLogLog.Hash(value));
        Combine(1, value, 0);
    }

    internal void AddText(ReadOnlySpan<char> value, string? text = null)
    {
        if (value.IsEmpty)
        {
            Missing++;
            return;
        }

        Count++;

        // A value the frequent-items summary already counts is already in the distinct-count
        // registers (they are idempotent), so low-cardinality columns hash each value once.
        if (!_frequent!.Add(value, text))
        {
            _distinct.AddHash(HyperLogLog.Hash(value));
        }
    }

    internal void AddMissing() => Missing++;

    internal void Merge(ColumnProfile other)
    {
        if (other.Kind != Kind)
        {
            throw new InvalidOperationException($"Column '{Name}' is {Kind} in one profile and {other.Kind} in the other; profiles of different types cannot be merged.");
        }

        Missing += other.Missing;
        Infinite += other.Infinite;
        _distinct.Merge(other._distinct);
        if (_sketch is not null)
        {
            _sketch.Merge(other._sketch!);
            if (other.Count > 0)
            {
                Combine(other.Count, other.Mean, other.M2);
            }
        }
        else
        {
            Count += other.Count;
            _frequent!.Merge(other._frequent!);
        }
    }

    private void Combine(long n, double mean, double m2)
    {
        if (Count == 0)
        {
            Count = n;
            Mean = mean;
            M2 = m2;
            return;
        }

        var total = Count + n;
        var delta = mean - Mean;
        Mean += delta * n / total;
        M2 += m2 + (delta * delta * Count * n / total);
        Count = total;
    }

    internal ColumnProfileState ToState() => new()
    {
        Name = Name,
        Kind = Kind,
        Count = Count,
        Missing = Missing,
        Infinite = Infinite,
        Mean = Count > 0 ? Mean : null,
        M2 = M2,
        QuantileState = _sketch?.ToState(),
        Distinct = Convert.ToBase64String(_distinct.State),
        Frequent = _frequent is null ? null : new Dictionary<string, long>(_frequent.Counts, StringComparer.Ordinal),
        FrequentTotal = _frequent?.Total ?? 0,
        FrequentUndercount = _frequent?.MaxUndercount ?? 0,
    };

    internal static ColumnProfile FromState(ColumnProfileState state)
    {
        var profile = new ColumnProfile(state.Name, state.Kind)
        {
            Count = state.Count,
            Missing = state.Missing,
            Infinite = state.Infinite,
            Mean = state.Mean ?? double.NaN,
            M2 = state.M2,
        };
        profile._distinct = new HyperLogLog(Convert.FromBase64String(state.Distinct));
        if (state.QuantileState is { } kll)
        {
            profile._sketch = KllSketch.FromState(kll);
        }

        if (state.Frequent is { } frequent)
        {
            profile._frequent = FrequentItems.FromState(FrequentItems.DefaultCapacity, state.FrequentTotal, state.FrequentUndercount, frequent);
        }

        return profile;
    }
}

/// <summary>The serialized form of a column profile, with stable field names.</summary>
internal sealed class ColumnProfileState
{
    public string Name { get; set; } = string.Empty;

    [JsonConverter(typeof(JsonStringEnumConverter<DataColumnKind>))]
    public DataColumnKind Kind { get; set; }

    public long Count { get; set; }

    public long Missing { get; set; }

    public long Infinite { get; set; }

    public double? Mean { get; set; }

    public double M2 { get; set; }

    [JsonPropertyName("Quantiles")]
    public KllState? QuantileState { get; set; }

    public string Distinct { get; set; } = string.Empty;

    public Dictionary<string, long>? Frequent { get; set; }

    public long FrequentTotal { get; set; }

    public long FrequentUndercount { get; set; }
}
