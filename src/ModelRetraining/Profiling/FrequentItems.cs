using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelRetraining;

/// <summary>
/// Misra–Gries frequent items with a fixed capacity: exact counts while the column has at most
/// <c>capacity</c> distinct values; beyond that each count is low by at most N / (capacity + 1), and
/// memory stays bounded whatever the cardinality.
/// </summary>
internal sealed class FrequentItems
{
    public const int DefaultCapacity = 1024;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly List<KeyValuePair<string, long>> _survivors = [];

    public FrequentItems(int capacity = DefaultCapacity)
    {
        Capacity = capacity;
        _bySpan = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Capacity { get; }

    public long Total { get; private set; }

    /// <summary>Gets the most any reported count can be below the true count.</summary>
    public long MaxUndercount { get; private set; }

    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>Counts a value; true when it was already counted (so it has been seen before), false when new or dropped.</summary>
    public bool Add(ReadOnlySpan<char> value, string? text = null)
    {
        Total++;
        ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(_bySpan, value);
        if (!Unsafe.IsNullRef(ref count))
        {
            count++;
            return true;
        }

        if (_counts.Count < Capacity)
        {
            _counts[text ?? value.ToString()] = 1;
            return false;
        }

        // Full: every counter pays one, the new value is dropped (Misra–Gries decrement step). The
        // survivors are gathered without a lookup and the table cleared: on a high-cardinality column
        // nearly every counter is at one, and removing them one by one cost two hash lookups each.
        MaxUndercount++;
        _survivors.Clear();
        foreach (var (key, kept) in _counts)
        {
            if (kept > 1)
            {
                _survivors.Add(new(key, kept - 1));
            }
        }

        _counts.Clear();
        foreach (var (key, kept) in _survivors)
        {
            _counts[key] = kept;
        }

        _survivors.Clear(); // holds no strings between steps

        return false;
    }

    public void Merge(FrequentItems other)
    {
        foreach (var (key, count) in other._counts)
        {
            _counts[key] = _counts.GetValueOrDefault(key) + count;
        }

        Total += other.Total;
        MaxUndercount += other.MaxUndercount;
        if (_counts.Count > Capacity)
        {
            // Subtract the (capacity+1)-th largest count from all, as the merge of Misra–Gries summaries does.
            var cut = _counts.Values.OrderByDescending(c => c).ElementAt(Capacity);
            MaxUndercount += cut;
            foreach (var key in _counts.Keys.ToArray())
            {
                var reduced = _counts[key] - cut;
                if (reduced <= 0)
                {
                    _counts.Remove(key);
                }
                else
                {
                    _counts[key] = reduced;
                }
            }
        }
    }

    public static FrequentItems FromState(int capacity, long total, long maxUndercount, IReadOnlyDictionary<string, long> counts)
    {
        var items = new FrequentItems(capacity) { Total = total, MaxUndercount = maxUndercount };
        foreach (var (key, count) in counts)
        {
            items._counts[key] = count;
        }

        return items;
    }
}
