using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>The row a custom data-quality predicate looks at: values by column name.</summary>
public sealed class QualityRow
{
    private readonly Dictionary<string, Func<object?>> _values = new(StringComparer.Ordinal);

    internal QualityRow(DataViewRowCursor cursor)
    {
        foreach (var column in cursor.Schema)
        {
            if (!cursor.IsColumnActive(column))
            {
                continue;
            }

            _values[column.Name] = Reader(cursor, column);
        }
    }

    /// <summary>Gets the 0-based position of the row in its data set.</summary>
    public long Position { get; internal set; }

    /// <summary>Reads a numeric column; NaN when missing.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value.</returns>
    public double GetNumeric(string column) => Value(column) switch
    {
        float f => f,
        double d => d,
        int i => i,
        long l => l,
        _ => double.NaN,
    };

    /// <summary>Reads a text column; empty when missing.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value.</returns>
    public string GetText(string column) => Value(column)?.ToString() ?? string.Empty;

    /// <summary>Reads a Boolean column.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value, or <see langword="null"/> when the column is not Boolean.</returns>
    public bool? GetBoolean(string column) => Value(column) as bool?;

    /// <summary>Tells whether a column's value is missing (NaN or empty).</summary>
    /// <param name="column">The column.</param>
    /// <returns><see langword="true"/> when missing.</returns>
    public bool IsMissing(string column) => Value(column) switch
    {
        null => true,
        float f => float.IsNaN(f),
        double d => double.IsNaN(d),
        string s => s.Length == 0,
        _ => false,
    };

    private object? Value(string column)
        => _values.TryGetValue(column, out var read) ? read() : throw new ArgumentException($"Column '{column}' is not in the data set.", nameof(column));

    private static Func<object?> Reader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type;
        if (type == NumberDataViewType.Single)
        {
            return Box<float>(cursor, column);
        }

        if (type == NumberDataViewType.Double)
        {
            return Box<double>(cursor, column);
        }

        if (type == NumberDataViewType.Int32)
        {
            return Box<int>(cursor, column);
        }

        if (type == NumberDataViewType.Int64)
        {
            return Box<long>(cursor, column);
        }

        if (type == BooleanDataViewType.Instance)
        {
            return Box<bool>(cursor, column);
        }

        if (type == DateTimeDataViewType.Instance)
        {
            return Box<DateTime>(cursor, column);
        }

        if (type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            return () =>
            {
                ReadOnlyMemory<char> value = default;
                getter(ref value);
                return value.ToString();
            };
        }

        return () => null;
    }

    private static Func<object?> Box<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return value;
        };
    }
}
