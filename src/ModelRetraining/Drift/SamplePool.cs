using System.Buffers;

namespace ModelRetraining;

/// <summary>
/// The arrays one exact comparison sorts its columns in: each column's sorted values and the radix
/// sort's keys are rented here and given back as soon as the column is compared, so a comparison of
/// many columns of millions of rows holds a few columns' worth at a time (one per core) instead of
/// leaving each column's arrays on the large-object heap until a collection. The pool belongs to one
/// comparison and is dropped with it, so nothing stays held once the report is made.
/// </summary>
internal sealed class SamplePool
{
    // Enough arrays per size for every core's column (two sides, two key buffers), and no more.
    private readonly ArrayPool<float> _values = ArrayPool<float>.Create(1 << 30, Environment.ProcessorCount * 2);
    private readonly ArrayPool<uint> _keys = ArrayPool<uint>.Create(1 << 30, Environment.ProcessorCount * 2);

    public float[] RentValues(int length) => _values.Rent(length);

    public void Return(float[] values) => _values.Return(values);

    /// <summary>Sorts finite floats with rented key buffers.</summary>
    public void Sort(Span<float> values)
    {
        var keys = _keys.Rent(values.Length);
        var scratch = _keys.Rent(values.Length);
        try
        {
            RadixSort.Sort(values, keys, scratch);
        }
        finally
        {
            _keys.Return(scratch);
            _keys.Return(keys);
        }
    }
}
