using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>
/// One side of a column comparison: either the raw present values (sorted numbers or category counts)
/// or a profile's sketches. Everything a drift method needs goes through CDF, quantile, moments and counts.
/// </summary>
internal sealed class DriftSample
{
    private const int MaxExactCategories = 10_000;

    private DriftSample(DataColumnKind kind, long present, long missing)
    {
        Kind = kind;
        Present = present;
        Missing = missing;
    }

    public DataColumnKind Kind { get; }

    public long Present { get; }

    public long Missing { get; }

    public double MissingShare => Present + Missing == 0 ? 0 : (double)Missing / (Present + Missing);

    public bool IsNumeric => Kind is DataColumnKind.Numeric or DataColumnKind.DateTime;

    // The array the sorted values live in when it was rented (columnar reads), and where it goes back.
    private float[]? _rented;
    private SamplePool? _pool;

    /// <summary>Gets the sorted present values, when held exactly.</summary>
    public ReadOnlyMemory<float>? Sorted { get; private init; }

    /// <summary>Gets the profile, when only a sketch is held.</summary>
    public ColumnProfile? Profile { get; private init; }

    /// <summary>Gets the category counts (exact, or the profile's frequent items).</summary>
    public IReadOnlyDictionary<string, long>? Categories { get; private init; }

    public double Mean { get; private init; } = double.NaN;

    public double StandardDeviation { get; private init; } = double.NaN;

    public double RankError => Profile?.RankError ?? 0;

    /// <summary>Gives a rented array back to its comparison's pool once the column is compared.</summary>
    public void Release()
    {
        // Called once, by the comparison that made the sample, when it is done with it.
        if (_rented is { } rented)
        {
            _rented = null;
            _pool!.Return(rented);
        }
    }

    public double Cdf(double x)
    {
        if (Sorted is { } memory)
        {
            var sorted = memory.Span;
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (sorted[mid] <= x)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return sorted.Length == 0 ? double.NaN : (double)lo / sorted.Length;
        }

        return Profile!.Cdf(x);
    }

    public double Quantile(double q)
        => Sorted is { } sorted
            ? sorted.Length == 0 ? double.NaN : sorted.Span[(int)Math.Clamp(Math.Floor(q * (sorted.Length - 1)), 0, sorted.Length - 1)]
            : Profile!.Quantile(q);

    /// <summary>The points where this side's CDF can change: every value, or the sketch's retained items.</summary>
    public IEnumerable<double> GridPoints()
        => Sorted is { } sorted ? Widen(sorted) : Profile!.Sketch!.Weighted().Select(w => w.Item);

    private static IEnumerable<double> Widen(ReadOnlyMemory<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            yield return values.Span[i];
        }
    }

    public static DriftSample FromProfile(ColumnProfile profile)
        => new(profile.Kind, profile.Count, profile.Missing)
        {
            Profile = profile,
            Categories = profile.Frequent?.Counts,
            Mean = profile.Mean,
            StandardDeviation = profile.StandardDeviation,
        };

    public static DriftSample FromData(IDataView data, DataViewSchema.Column column, DataColumnKind kind, SamplePool pool, CancellationToken cancellationToken)
    {
        if (kind is DataColumnKind.Numeric or DataColumnKind.DateTime)
        {
            var (array, count, rented, missing) = Numbers(data, column, kind, pool, cancellationToken);
            var values = array.AsSpan(0, count);
            pool.Sort(values);
            double sum = 0;
            foreach (var v in values)
            {
                sum += v;
            }

            var mean = values.Length == 0 ? double.NaN : sum / values.Length;
            double m2 = 0;
            foreach (var v in values)
            {
                m2 += (v - mean) * (v - mean);
            }

            return new DriftSample(kind, values.Length, missing)
            {
                _rented = rented ? array : null,
                _pool = rented ? pool : null,
                Sorted = array.AsMemory(0, count),
                Mean = mean,
                StandardDeviation = values.Length > 1 ? Math.Sqrt(m2 / (values.Length - 1)) : double.NaN,
            };
        }

        var (counts, absent) = Counts(data, column, kind, cancellationToken);
        return new DriftSample(kind, counts.Values.Sum(), absent) { Categories = counts };
    }

    private static (float[] Values, int Count, bool Rented, long Missing) Numbers(IDataView data, DataViewSchema.Column column, DataColumnKind kind, SamplePool pool, CancellationToken cancellationToken)
    {
        var list = new List<float>();
        long missing = 0;
        void Add(double v)
        {
            if (double.IsNaN(v))
            {
                missing++;
            }
            else if (double.IsFinite(v))
            {
                list.Add((float)v);
            }
        }

        if (data is IColumnarDataView columnar && column.Type == NumberDataViewType.Single && columnar.TryGetColumn<float>(column.Index, out var floats))
        {
            var span = floats.Span;
            var result = pool.RentValues(span.Length);
            var n = 0;
            foreach (var v in span)
            {
                if (float.IsFinite(v))
                {
                    result[n++] = v;
                }
                else if (float.IsNaN(v))
                {
                    missing++;
                }
            }

            return (result, n, true, missing);
        }

        using var cursor = data.GetRowCursor([column]);
        var read = ColumnReaders.Number(cursor, column, Add);
        long rows = 0;
        while (cursor.MoveNext())
        {
            if ((++rows & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            read();
        }

        return ([.. list], list.Count, false, missing);
    }

    private static (Dictionary<string, long> Counts, long Missing) Counts(IDataView data, DataViewSchema.Column column, DataColumnKind kind, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        long missing = 0, other = 0;
        void Add(ReadOnlySpan<char> value)
        {
            if (value.IsEmpty)
            {
                missing++;
            }
            else if (lookup.TryGetValue(value, out var c))
            {
                lookup[value] = c + 1;
            }
            else if (counts.Count < MaxExactCategories)
            {
                lookup[value] = 1;
            }
            else
            {
                other++;
            }
        }

        if (kind == DataColumnKind.Boolean && data is IColumnarDataView flagsView && flagsView.TryGetColumn<bool>(column.Index, out var flags))
        {
            foreach (var flag in flags.Span)
            {
                Add(flag ? "true" : "false");
            }
        }
        else if (kind == DataColumnKind.Text && data is IColumnarDataView textView && textView.TryGetColumn<ReadOnlyMemory<char>>(column.Index, out var texts))
        {
            foreach (var text in texts.Span)
            {
                Add(text.Span);
            }
        }
        else
        {
            using var cursor = data.GetRowCursor([column]);
            Action read = kind == DataColumnKind.Boolean
                ? ColumnReaders.Each<bool>(cursor, column, b => Add(b ? "true" : "false"))
                : ColumnReaders.Each<ReadOnlyMemory<char>>(cursor, column, m => Add(m.Span));
            long rows = 0;
            while (cursor.MoveNext())
            {
                if ((++rows & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                read();
            }
        }

        if (other > 0)
        {
            // Beyond 10,000 categories the rest are pooled, so memory stays bounded.
            counts["(other categories)"] = other;
        }

        return (counts, missing);
    }
}
