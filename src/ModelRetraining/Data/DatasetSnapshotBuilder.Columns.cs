namespace ModelRetraining;

// Rows given column by column, for columnar readers (Parquet's row groups): no value is boxed on its way in.
public sealed partial class DatasetSnapshotBuilder
{
    /// <summary>
    /// Adds <paramref name="rows"/> rows given column by column, as columnar formats hand them out: the same
    /// rows, values and fingerprint as adding them one by one with <see cref="Add(ReadOnlySpan{object})"/>,
    /// without an object per value.
    /// </summary>
    /// <param name="rows">The number of rows; each array holds at least this many values, the first ones read.</param>
    /// <param name="columns">
    /// One array per column, in column order, by its kind: <see langword="float"/>[] for Numeric (NaN for missing),
    /// <see langword="string"/>?[] for Text, <see langword="bool"/>?[] for Boolean and <see cref="DateTime"/>?[] for
    /// DateTime (<see langword="null"/> for missing).
    /// </param>
    /// <exception cref="ArgumentException">The number of arrays is not the number of columns, or an array is of another type or shorter than <paramref name="rows"/>; the message names the column.</exception>
    public void AddColumns(int rows, params ReadOnlySpan<Array> columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (columns.Length != _buffers.Length)
        {
            throw new ArgumentException($"Rows were given as {columns.Length} columns for {_buffers.Length} columns.", nameof(columns));
        }

        for (var c = 0; c < columns.Length; c++)
        {
            var column = _columns[c];
            var (expected, name) = column.Kind switch
            {
                DataColumnKind.Numeric => (typeof(float[]), "float[]"),
                DataColumnKind.Boolean => (typeof(bool?[]), "bool?[]"),
                DataColumnKind.DateTime => (typeof(DateTime?[]), "DateTime?[]"),
                _ => (typeof(string[]), "string?[]"),
            };
            if (columns[c]?.GetType() != expected || columns[c].Length < rows)
            {
                var given = columns[c] is null ? "null" : $"{(Nullable.GetUnderlyingType(columns[c].GetType().GetElementType()!) is { } inner ? inner.Name + "?" : columns[c].GetType().GetElementType()!.Name)}[] of {columns[c].Length}";
                throw new ArgumentException($"Column '{column.Name}' ({column.Kind}) must be given as {name} of at least {rows} values; it was {given}.", nameof(columns));
            }
        }

        for (var r = 0; r < rows; r++)
        {
            var length = 0;
            for (var c = 0; c < columns.Length; c++)
            {
                switch (columns[c])
                {
                    case float[] numbers:
                        _buffers[c].Add(new CsvCell { Number = numbers[r] });
                        length = float.IsNaN(numbers[r]) ? Empty(length) : Formatted(numbers[r], "R", length);
                        break;
                    case bool?[] flags:
                        _buffers[c].Add(flags[r] is { } flag ? new CsvCell { Flag = flag, HasFlag = true } : CsvCell.Missing);
                        length = flags[r] is { } f ? Flag(f, length) : Empty(length);
                        break;
                    case DateTime?[] times:
                        _buffers[c].Add(times[r] is { } at ? new CsvCell { Time = at, HasTime = true } : CsvCell.Missing);
                        length = times[r] is { } t ? Formatted(t.Ticks, null, length) : Empty(length);
                        break;
                    case string?[] texts:
                        _buffers[c].Add(new CsvCell { Text = texts[r] });
                        length = texts[r] is { } text ? Text(text, length) : Empty(length);
                        break;
                }
            }

            Reserve(length, 1);
            _encoded[length] = (byte)'\n';
            _hash.Append(_encoded.AsSpan(0, length + 1));
            Rows++;
        }
    }
}
