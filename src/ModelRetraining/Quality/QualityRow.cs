using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>The row a custom data-quality predicate looks at: values by column name.</summary>
public sealed class QualityRow
{
    private readonly Dictionary<string, ColumnReader> _columns = new(StringComparer.Ordinal);

    internal QualityRow(DataViewRowCursor cursor)
    {
        foreach (var column in cursor.Schema)
        {
            if (!cursor.IsColumnActive(column))
            {
                continue;
            }

            _columns[column.Name] = ColumnReader.For(cursor, column);
        }
    }

    /// <summary>Gets the 0-based position of the row in its data set.</summary>
    public long Position { get; internal set; }

    /// <summary>Reads a numeric column; NaN when missing.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value.</returns>
    public double GetNumeric(string column) => Reader(column).Number();

    /// <summary>Reads a text column; empty when missing.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value.</returns>
    public string GetText(string column) => Reader(column).Value()?.ToString() ?? string.Empty;

    /// <summary>Reads a Boolean column.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value, or <see langword="null"/> when the column is not Boolean.</returns>
    public bool? GetBoolean(string column) => Reader(column).Value() as bool?;

    /// <summary>Tells whether a column's value is missing (NaN or empty).</summary>
    /// <param name="column">The column.</param>
    /// <returns><see langword="true"/> when missing.</returns>
    public bool IsMissing(string column) => Reader(column).IsMissing();

    private ColumnReader Reader(string column)
        => _columns.TryGetValue(column, out var reader) ? reader : throw new ArgumentException($"Column '{column}' is not in the data set.", nameof(column));

    // Reads one column of the cursor's row. Numbers and the missing test are read unboxed: a rule such as
    // InRange asks both for every row, and boxing each value made the rules' scan the costliest check of a batch.
    private abstract class ColumnReader
    {
        public abstract double Number();

        public abstract bool IsMissing();

        public abstract object? Value();

        public static ColumnReader For(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            var type = column.Type;
            return type == NumberDataViewType.Single ? new Typed<float>(cursor.GetGetter<float>(column), v => v, float.IsNaN)
                : type == NumberDataViewType.Double ? new Typed<double>(cursor.GetGetter<double>(column), v => v, double.IsNaN)
                : type == NumberDataViewType.Int32 ? new Typed<int>(cursor.GetGetter<int>(column), v => v, _ => false)
                : type == NumberDataViewType.Int64 ? new Typed<long>(cursor.GetGetter<long>(column), v => v, _ => false)
                : type == BooleanDataViewType.Instance ? new Typed<bool>(cursor.GetGetter<bool>(column), _ => double.NaN, _ => false)
                : type == DateTimeDataViewType.Instance ? new Typed<DateTime>(cursor.GetGetter<DateTime>(column), _ => double.NaN, _ => false)
                : type is TextDataViewType ? new Text(cursor.GetGetter<ReadOnlyMemory<char>>(column))
                : new Unknown();
        }
    }

    private sealed class Typed<T>(ValueGetter<T> getter, Func<T, double> number, Func<T, bool> missing) : ColumnReader
    {
        public override double Number() => number(Read());

        public override bool IsMissing() => missing(Read());

        public override object? Value() => Read();

        private T Read()
        {
            T value = default!;
            getter(ref value);
            return value;
        }
    }

    private sealed class Text(ValueGetter<ReadOnlyMemory<char>> getter) : ColumnReader
    {
        public override double Number() => double.NaN;

        public override bool IsMissing() => Read().IsEmpty;

        public override object? Value() => Read().ToString();

        private ReadOnlyMemory<char> Read()
        {
            ReadOnlyMemory<char> value = default;
            getter(ref value);
            return value;
        }
    }

    private sealed class Unknown : ColumnReader
    {
        public override double Number() => double.NaN;

        public override bool IsMissing() => true;

        public override object? Value() => null;
    }
}
