using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining;

/// <summary>
/// A batch's rows in the first stored format: gzipped JSON Lines, the first line the columns (name and
/// kind), then one array of values per row (numbers as shortest round-trip text, missing as null,
/// date-times as UTC ISO 8601). New batches are written columnar (<see cref="BatchCodec"/>, 8× faster to
/// write); batches stored in this format still read.
/// </summary>
internal static class JsonLinesBatchCodec
{
    // Nothing stores this format any more; the writer stays so the tests can make batches as they were stored before.
    public static byte[] Encode(DatasetSnapshot snapshot)
    {
        var columns = snapshot.Schema.Columns.Where(c => snapshot.Data.Schema.GetColumnOrNull(c.Name) is not null).ToArray();
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            using (var header = new Utf8JsonWriter(zip))
            {
                header.WriteStartArray();
                foreach (var column in columns)
                {
                    header.WriteStartObject();
                    header.WriteString("name", column.Name);
                    header.WriteString("kind", column.Kind.ToString());
                    header.WriteEndObject();
                }

                header.WriteEndArray();
            }

            zip.WriteByte((byte)'\n');
            var schemaColumns = columns.Select(c => snapshot.Data.Schema[c.Name]).ToArray();
            using var cursor = snapshot.Data.GetRowCursor(schemaColumns);
            var readers = columns.Select((c, i) => Reader(cursor, schemaColumns[i], c.Kind)).ToArray();
            while (cursor.MoveNext())
            {
                using (var row = new Utf8JsonWriter(zip))
                {
                    row.WriteStartArray();
                    foreach (var read in readers)
                    {
                        read(row);
                    }

                    row.WriteEndArray();
                }

                zip.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    public static (DataColumn[] Columns, IEnumerable<object?[]> Rows) Decode(ReadOnlyMemory<byte> content)
    {
        var reader = new StreamReader(new GZipStream(new MemoryStream(content.ToArray(), writable: false), CompressionMode.Decompress));
        var header = JsonDocument.Parse(reader.ReadLine() ?? throw new InvalidDataException("A stored batch is empty.")).RootElement;
        var columns = header.EnumerateArray().Select(c => new DataColumn(c.GetProperty("name").GetString()!, Enum.Parse<DataColumnKind>(c.GetProperty("kind").GetString()!))).ToArray();
        return (columns, Rows(reader, columns));
    }

    private static IEnumerable<object?[]> Rows(StreamReader reader, DataColumn[] columns)
    {
        using (reader)
        {
            while (reader.ReadLine() is { } line)
            {
                using var row = JsonDocument.Parse(line);
                var values = new object?[columns.Length];
                var i = 0;
                foreach (var value in row.RootElement.EnumerateArray())
                {
                    values[i] = value.ValueKind == JsonValueKind.Null ? (columns[i].Kind == DataColumnKind.Numeric ? float.NaN : null) : columns[i].Kind switch
                    {
                        DataColumnKind.Numeric => value.GetSingle(),
                        DataColumnKind.Boolean => value.GetBoolean(),
                        DataColumnKind.DateTime => DateTime.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                        _ => value.GetString(),
                    };
                    i++;
                }

                yield return values;
            }
        }
    }

    private static Action<Utf8JsonWriter> Reader(DataViewRowCursor cursor, DataViewSchema.Column column, DataColumnKind kind)
    {
        switch (kind)
        {
            case DataColumnKind.Numeric:
            {
                var get = cursor.GetGetter<float>(column);
                return w =>
                {
                    float v = default;
                    get(ref v);
                    if (float.IsFinite(v))
                    {
                        w.WriteNumberValue(v);
                    }
                    else
                    {
                        w.WriteNullValue();
                    }
                };
            }

            case DataColumnKind.Boolean:
            {
                var get = cursor.GetGetter<bool>(column);
                return w =>
                {
                    bool v = default;
                    get(ref v);
                    w.WriteBooleanValue(v);
                };
            }

            case DataColumnKind.DateTime:
            {
                var get = cursor.GetGetter<DateTime>(column);
                return w =>
                {
                    DateTime v = default;
                    get(ref v);
                    if (v == default)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        w.WriteStringValue(DateTime.SpecifyKind(v, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));
                    }
                };
            }

            default:
            {
                var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                return w =>
                {
                    ReadOnlyMemory<char> v = default;
                    get(ref v);
                    if (v.IsEmpty)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        w.WriteStringValue(v.Span);
                    }
                };
            }
        }
    }
}
