using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>
/// A JSON Lines file (one JSON object per line; <c>.jsonl</c>, <c>.ndjson</c>) read with a declared schema:
/// each column is the object's property of that name, missing or <c>null</c> as a missing value. Numeric
/// columns take JSON numbers, Boolean columns <c>true</c>/<c>false</c>, date-time columns ISO 8601 strings
/// (read in UTC, as CSV), text columns strings (a number or Boolean as its JSON text). Other properties are
/// left out. A line that is not a JSON object, or a value of the wrong JSON type, is an issue naming its
/// line and column, as in CSV; derived columns are computed as in CSV. The fingerprint is computed from the
/// values, so it equals that of the same rows from objects, Parquet or a query.
/// </summary>
public sealed class JsonLinesDataSource : IDataSource
{
    private readonly string _path;
    private readonly CsvSchema _schema;

    private readonly byte[][] _names;
    private readonly long _linesBefore;
    private readonly long _rowsBefore;

    private JsonLinesDataSource(string path, CsvSchema schema, long linesBefore = 0, long rowsBefore = 0)
    {
        _path = path;
        _schema = schema;
        _linesBefore = linesBefore;
        _rowsBefore = rowsBefore;
        _names = [.. schema.Columns.Select(c => Encoding.UTF8.GetBytes(c.Name))];
    }

    /// <inheritdoc />
    public string Name => System.IO.Path.GetFileName(_path);

    /// <summary>Gets the file's path.</summary>
    public string Path => _path;

    /// <inheritdoc />
    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    /// <summary>Reads a JSON Lines file with a declared schema (the same <see cref="CsvSchema"/> a CSV file of these columns takes; its separator and header rules do not apply).</summary>
    /// <param name="path">The file.</param>
    /// <param name="schema">The columns, their kinds, the label and time columns.</param>
    /// <returns>The source.</returns>
    /// <exception cref="OptionsValidationException">The schema is invalid; every problem is listed.</exception>
    public static JsonLinesDataSource FromFile(string path, CsvSchema schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(schema);
        return new JsonLinesDataSource(path, schema.ValidatedFor(path));
    }

    /// <summary>Reads the file as one part of a larger one: its first line is numbered <paramref name="linesBefore"/> + 1 and its first row <paramref name="rowsBefore"/> + 1 of the whole, in messages and for derived columns.</summary>
    /// <param name="linesBefore">The whole's lines before this part.</param>
    /// <param name="rowsBefore">The whole's rows before this part.</param>
    /// <returns>A new source; this one is unchanged.</returns>
    public JsonLinesDataSource ContinuingAt(long linesBefore, long rowsBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(linesBefore);
        ArgumentOutOfRangeException.ThrowIfNegative(rowsBefore);
        return new JsonLinesDataSource(_path, _schema, linesBefore, rowsBefore);
    }

    /// <inheritdoc />
    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!File.Exists(_path))
        {
            throw new FileNotFoundException($"Data file '{System.IO.Path.GetFullPath(_path)}' does not exist.", _path);
        }

        return await Task.Run(() => Read(cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private DatasetSnapshot Read(CancellationToken cancellationToken)
    {
        var columns = _schema.Columns;
        var index = columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var builder = new DatasetSnapshotBuilder([.. columns.Select(c => new DataColumn(c.Name, c.Kind, c.IsDerived))]);
        var values = new object?[columns.Count];
        var row = new CsvRow(index, values);
        var tally = new JsonLinesTally(columns, Name, _path);
        var labelIndex = _schema.LabelColumn is null ? -1 : index[_schema.LabelColumn];
        var seen = new bool[columns.Count];
        var hasDerived = columns.Any(c => c.IsDerived);

        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var lines = new ByteLineReader(file, _schema.MaxRecordLength, Name);
        var lineNumber = _linesBefore;
        while (lines.Next() is { } line)
        {
            lineNumber++;
            if ((lineNumber & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var span = line.Span;
            if (span.IsEmpty || span.IndexOfAnyExcept(" \t\r"u8) < 0)
            {
                continue; // blank line
            }

            Array.Clear(seen);
            if (!TryReadObject(span, columns, values, seen, tally, lineNumber, out var malformed))
            {
                tally.Malformed(lineNumber, malformed);
                continue;
            }

            for (var c = 0; c < columns.Count; c++)
            {
                if (!seen[c])
                {
                    values[c] = Missing(columns[c].Kind);
                }
                else
                {
                    tally.Present(c);
                }
            }

            if (hasDerived)
            {
                // As in CSV: a derivation that reads a column derived after it sees it missing, not the previous row's value.
                row.RowNumber = _rowsBefore + tally.Rows + 1;
                for (var c = 0; c < columns.Count; c++)
                {
                    values[c] = columns[c].IsDerived ? null : values[c];
                }

                for (var c = 0; c < columns.Count; c++)
                {
                    if (columns[c].Compute is { } compute)
                    {
                        values[c] = compute(row);
                    }
                }
            }

            if (labelIndex >= 0 && values[labelIndex] is null or float.NaN or string { Length: 0 })
            {
                tally.MissingLabel(labelIndex, _rowsBefore + tally.Rows + 1);
            }

            builder.Add(values);
            tally.Rows++;
        }

        var issues = tally.Issues(_schema);
        return builder.Build(Name, _schema.LabelColumn, _schema.TimeColumn, issues, System.IO.Path.GetFullPath(_path)) with { DeclaredSchema = _schema.ToDataSchema(), IgnoredColumns = [.. _schema.IgnoredColumns] };
    }

    private static object? Missing(DataColumnKind kind) => kind switch { DataColumnKind.Numeric => float.NaN, DataColumnKind.Text => string.Empty, _ => null };

    // One line as one object: each declared column's value, or the reason the line is not an object.
    private bool TryReadObject(ReadOnlySpan<byte> line, IReadOnlyList<CsvColumn> columns, object?[] values, bool[] seen, JsonLinesTally tally, long lineNumber, out string reason)
    {
        reason = string.Empty;
        var wrong = new List<(int Column, string Raw, bool OutOfRange)>();
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = $"it is {(reader.TokenType == JsonTokenType.None ? "empty" : $"a JSON {reader.TokenType}")}, not an object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var c = ColumnOf(ref reader);
                reader.Read();
                if (c < 0 || columns[c].IsDerived)
                {
                    reader.Skip();
                    continue;
                }

                seen[c] = true;
                if (!TryValue(ref reader, columns[c].Kind, out values[c], out var outOfRange))
                {
                    wrong.Add((c, Raw(ref reader, line), outOfRange));
                    reader.Skip();
                    values[c] = Missing(columns[c].Kind);
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                reason = "it holds more than one JSON value";
                return false;
            }

            // Counted only now: a line that turns out malformed reports that, not its values' types.
            foreach (var (column, raw, outOfRange) in wrong)
            {
                tally.WrongType(column, lineNumber, raw, outOfRange);
            }

            return true;
        }
        catch (JsonException ex)
        {
            reason = $"it is not valid JSON ({ex.Message.Split(" LineNumber", 2)[0]})";
            return false;
        }
        catch (InvalidOperationException ex)
        {
            reason = $"it holds a string that is not valid UTF-16 or UTF-8 ({ex.Message})"; // GetString on a lone surrogate or invalid bytes
            return false;
        }
    }

    // The declared column a property names, compared as UTF-8 (escapes included) without a string per property; -1 for none.
    private int ColumnOf(ref Utf8JsonReader reader)
    {
        for (var c = 0; c < _names.Length; c++)
        {
            if (reader.ValueTextEquals(_names[c]))
            {
                return c;
            }
        }

        return -1;
    }

    private static string Raw(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        var start = (int)reader.TokenStartIndex;
        var end = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray ? Math.Min(line.Length, start + 40) : start + (int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) + (reader.TokenType == JsonTokenType.String ? 2 : 0);
        return Encoding.UTF8.GetString(line[start..Math.Min(end, line.Length)]);
    }

    private bool TryValue(ref Utf8JsonReader reader, DataColumnKind kind, out object? value, out bool outOfRange)
    {
        outOfRange = false;
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            value = Missing(kind);
            return true;
        }

        switch (kind)
        {
            case DataColumnKind.Numeric when reader.TokenType == JsonTokenType.Number:
                if (!reader.TryGetDouble(out var number))
                {
                    // Beyond a double (1e400): infinity if the schema allows it, a value lost otherwise.
                    number = reader.ValueSpan is [(byte)'-', ..] ? double.NegativeInfinity : double.PositiveInfinity;
                }

                var single = (float)number;
                if (float.IsInfinity(single) && !_schema.AllowInfinity)
                {
                    outOfRange = true;
                    return false;
                }

                value = single;
                return true;
            case DataColumnKind.Boolean when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                value = reader.GetBoolean();
                return true;
            case DataColumnKind.DateTime when reader.TokenType == JsonTokenType.String:
                if (CsvDataSource.TryParseUtc(reader.GetString(), _schema.DateTimeFormats as string[], _schema.Culture, out var at))
                {
                    value = at;
                    return true;
                }

                return false;
            case DataColumnKind.Text when reader.TokenType == JsonTokenType.String:
                value = TextPool.Intern(reader.GetString().AsSpan());
                return true;
            case DataColumnKind.Text when reader.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                value = TextPool.Intern(Encoding.UTF8.GetString(reader.ValueSpan).AsSpan());
                return true;
            default:
                return false;
        }
    }
}
