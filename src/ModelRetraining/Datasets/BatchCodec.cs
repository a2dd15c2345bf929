using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>
/// A batch's rows as stored: the magic <c>MRB2</c>, then a deflate stream of the columns (name and kind),
/// the row count, and each column's values in one block: floats and date-time ticks as little-endian
/// binary (NaN and 0 ticks for missing), Booleans as bytes, text as a dictionary of its distinct values in
/// order of first appearance and one index per row. Self-describing, so a batch reads back without the
/// schema of the day it arrived; the same rows always make the same bytes (the store is content-addressed).
/// Batches stored before in gzipped JSON Lines (<see cref="JsonLinesBatchCodec"/>) still read.
/// </summary>
internal static class BatchCodec
{
    private static ReadOnlySpan<byte> Magic => "MRB2"u8;

    public static byte[] Encode(DatasetSnapshot snapshot)
    {
        var columns = snapshot.Schema.Columns.Where(c => snapshot.Data.Schema.GetColumnOrNull(c.Name) is not null).ToArray();
        var rows = checked((int)snapshot.RowCount);
        var arrays = Columns(snapshot.Data, columns, rows);
        using var buffer = new MemoryStream();
        buffer.Write(Magic);
        using (var zip = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var buffered = new BufferedStream(zip, 1 << 16))
        using (var writer = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(columns.Length);
            foreach (var column in columns)
            {
                writer.Write(column.Name);
                writer.Write((byte)column.Kind);
            }

            writer.Write(checked((int)snapshot.RowCount));
            for (var c = 0; c < columns.Length; c++)
            {
                switch (arrays[c])
                {
                    case float[] numbers:
                        writer.Write(MemoryMarshal.AsBytes(numbers.AsSpan(0, rows)));
                        break;
                    case DateTime[] times:
                        WriteTicks(writer, times.AsSpan(0, rows));
                        break;
                    case bool[] flags:
                        writer.Write(MemoryMarshal.AsBytes(flags.AsSpan(0, rows)));
                        break;
                    case ReadOnlyMemory<char>[] texts:
                        WriteText(writer, texts.AsSpan(0, rows));
                        break;
                }
            }
        }

        return buffer.ToArray();
    }

    public static (DataColumn[] Columns, IEnumerable<object?[]> Rows) Decode(ReadOnlyMemory<byte> content)
    {
        if (!content.Span.StartsWith(Magic))
        {
            return JsonLinesBatchCodec.Decode(content);
        }

        using var zip = new DeflateStream(new MemoryStream(content[Magic.Length..].ToArray(), writable: false), CompressionMode.Decompress);
        using var reader = new BinaryReader(zip, Encoding.UTF8);
        var columns = new DataColumn[reader.ReadInt32()];
        for (var c = 0; c < columns.Length; c++)
        {
            var name = reader.ReadString();
            var kind = (DataColumnKind)reader.ReadByte();
            columns[c] = Enum.IsDefined(kind) ? new DataColumn(name, kind) : throw new InvalidDataException($"A stored batch has column '{name}' of unknown kind {(int)kind}.");
        }

        var rows = reader.ReadInt32();
        var arrays = new Array[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            arrays[c] = columns[c].Kind switch
            {
                DataColumnKind.Numeric => ReadBlock<float>(reader, rows),
                DataColumnKind.Boolean => ReadBlock<bool>(reader, rows),
                DataColumnKind.DateTime => Array.ConvertAll(ReadBlock<long>(reader, rows), t => t == 0 ? (DateTime?)null : new DateTime(t, DateTimeKind.Utc)),
                _ => ReadText(reader, rows),
            };
        }

        return (columns, Rows(arrays, rows));
    }

    private static IEnumerable<object?[]> Rows(Array[] arrays, int rows)
    {
        for (var r = 0; r < rows; r++)
        {
            var values = new object?[arrays.Length];
            for (var c = 0; c < arrays.Length; c++)
            {
                values[c] = arrays[c].GetValue(r);
            }

            yield return values;
        }
    }

    private static T[] ReadBlock<T>(BinaryReader reader, int rows)
        where T : unmanaged
    {
        var values = new T[rows];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void WriteText(BinaryWriter writer, ReadOnlySpan<ReadOnlyMemory<char>> texts)
    {
        var dictionary = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        var indexes = new int[texts.Length];
        var lookup = dictionary.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var r = 0; r < texts.Length; r++)
        {
            var text = texts[r].Span;
            if (text.IsEmpty)
            {
                indexes[r] = -1;
                continue;
            }

            if (!lookup.TryGetValue(text, out var index))
            {
                index = order.Count;
                var value = text.ToString();
                dictionary.Add(value, index);
                order.Add(value);
            }

            indexes[r] = index;
        }

        writer.Write(order.Count);
        foreach (var value in order)
        {
            writer.Write(value);
        }

        writer.Write(MemoryMarshal.AsBytes(indexes.AsSpan()));
    }

    private static string?[] ReadText(BinaryReader reader, int rows)
    {
        var values = new string[reader.ReadInt32()];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadString();
        }

        var indexes = ReadBlock<int>(reader, rows);
        return Array.ConvertAll(indexes, i => i < 0 ? null : values[i]);
    }

    // Each column as one array: straight from a columnar view, through a cursor otherwise.
    private static Array[] Columns(IDataView data, DataColumn[] columns, int rows)
    {
        var schemaColumns = columns.Select(c => data.Schema[c.Name]).ToArray();
        var arrays = new Array[columns.Length];
        var pending = new List<int>();
        for (var c = 0; c < columns.Length; c++)
        {
            if ((data is IColumnarDataView columnar ? Direct(columnar, schemaColumns[c].Index, columns[c].Kind, rows) : null) is { } direct)
            {
                arrays[c] = direct;
            }
            else
            {
                pending.Add(c);
            }
        }

        if (pending.Count > 0)
        {
            using var cursor = data.GetRowCursor(pending.Select(c => schemaColumns[c]));
            var fills = pending.Select(c => Filler(cursor, schemaColumns[c], columns[c].Kind, rows, out arrays[c])).ToArray();
            var read = 0;
            for (; read < rows && cursor.MoveNext(); read++)
            {
                foreach (var fill in fills)
                {
                    fill(read);
                }
            }

            if (read != rows || cursor.MoveNext())
            {
                throw new InvalidOperationException($"The snapshot says it has {rows} rows, but its data has {(read != rows ? read.ToString(System.Globalization.CultureInfo.InvariantCulture) : "more")}; the batch is not stored.");
            }
        }

        return arrays;
    }

    private static Array? Direct(IColumnarDataView view, int index, DataColumnKind kind, int rows) => kind switch
    {
        DataColumnKind.Numeric => view.TryGetColumn<float>(index, out var numbers) ? Whole(numbers, rows) : null,
        DataColumnKind.Boolean => view.TryGetColumn<bool>(index, out var flags) ? Whole(flags, rows) : null,
        DataColumnKind.DateTime => view.TryGetColumn<DateTime>(index, out var times) ? Whole(times, rows) : null,
        _ => view.TryGetColumn<ReadOnlyMemory<char>>(index, out var texts) ? Whole(texts, rows) : null,
    };

    // The view's own array when the memory starts it (a snapshot's columns do; the array may be longer than
    // the rows, whose values are its first ones), a copy otherwise; null when the view has another number of rows.
    private static T[]? Whole<T>(ReadOnlyMemory<T> values, int rows)
        => values.Length != rows ? null
            : MemoryMarshal.TryGetArray(values, out var segment) && segment.Offset == 0 ? segment.Array! : values.ToArray();

    private static void WriteTicks(BinaryWriter writer, ReadOnlySpan<DateTime> times)
    {
        var ticks = new long[Math.Min(times.Length, 1 << 16)];
        for (var start = 0; start < times.Length; start += ticks.Length)
        {
            var count = Math.Min(ticks.Length, times.Length - start);
            for (var i = 0; i < count; i++)
            {
                ticks[i] = times[start + i].Ticks;
            }

            writer.Write(MemoryMarshal.AsBytes(ticks.AsSpan(0, count)));
        }
    }

    private static Action<int> Filler(DataViewRowCursor cursor, DataViewSchema.Column column, DataColumnKind kind, int rows, out Array array)
    {
        switch (kind)
        {
            case DataColumnKind.Numeric:
            {
                var values = new float[rows];
                var get = cursor.GetGetter<float>(column);
                array = values;
                return r => get(ref values[r]);
            }

            case DataColumnKind.Boolean:
            {
                var values = new bool[rows];
                var get = cursor.GetGetter<bool>(column);
                array = values;
                return r => get(ref values[r]);
            }

            case DataColumnKind.DateTime:
            {
                var values = new DateTime[rows];
                var get = cursor.GetGetter<DateTime>(column);
                array = values;
                return r => get(ref values[r]);
            }

            default:
            {
                var values = new ReadOnlyMemory<char>[rows];
                var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                array = values;
                return r => get(ref values[r]);
            }
        }
    }
}
