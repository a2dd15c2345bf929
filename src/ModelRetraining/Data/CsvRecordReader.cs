using System.Text;

namespace ModelRetraining;

/// <summary>
/// Splits RFC 4180 records: separators inside quotes, doubled quotes as one quote, and line breaks
/// inside quoted fields. Fields are handed out as spans of the current record, unescaped only when needed.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, char separator, string source, int maxRecordLength, CancellationToken cancellationToken) : ICsvRecords
{
    private readonly LineReader _lines = new(reader);
    private readonly List<(int Start, int Length)> _fields = [];
    private readonly StringBuilder _unescaped = new();
    private readonly StringBuilder _multiLine = new();
    private string _record = string.Empty;
    private string _escaped = string.Empty;
    private long _nextLine = 1;

    public int FieldCount => _fields.Count;

    /// <summary>Gets the 1-based line where the current record starts.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Gets the 1-based line where the current record ends (later than <see cref="LineNumber"/> when a quoted field spans lines).</summary>
    public long EndLineNumber => _nextLine - 1;

    public ReadOnlySpan<char> RawRecord => _record;

    // A part of a larger file: the lines before it in the whole are counted as read.
    public void SkipLineNumbers(long lines) => _nextLine += lines;

    /// <summary>
    /// Reads the next record. A quote opens a quoted field only at the start of a field (RFC 4180); a
    /// quote inside an unquoted field (<c>12" screen</c>) is text and never swallows the lines after it.
    /// Each line is scanned once, so a record spanning lines costs its length, not its length squared;
    /// a record longer than the limit (an unterminated quote, most likely) stops the read with its line.
    /// </summary>
    public bool Read()
    {
        var line = _lines.ReadLine(out var lineBreak);
        if (line is null)
        {
            return false;
        }

        LineNumber = _nextLine;
        _nextLine++;
        var inQuotes = line.Contains('"', StringComparison.Ordinal) && EndsInsideQuotes(line, startsInside: false);
        if (inQuotes)
        {
            _multiLine.Clear().Append(line);
            while (inQuotes)
            {
                if (((_nextLine - LineNumber) & 0x3FF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var previousBreak = lineBreak;
                var next = _lines.ReadLine(out lineBreak)
                    ?? throw new InvalidDataException($"'{source}': a quoted field opened on line {LineNumber} is never closed (the file ends on line {_nextLine - 1}, {_multiLine.Length} characters later).");
                _nextLine++;
                if (_multiLine.Length + previousBreak.Length + next.Length > maxRecordLength)
                {
                    throw new InvalidDataException($"'{source}': the record starting on line {LineNumber} is longer than {maxRecordLength} characters (it reached line {_nextLine - 1}) — most likely a quote that is never closed. Raise {nameof(CsvSchema)}.{nameof(CsvSchema.MaxRecordLength)} if records are really this long.");
                }

                _multiLine.Append(previousBreak).Append(next);
                inQuotes = EndsInsideQuotes(next, startsInside: true);
            }

            line = _multiLine.ToString();
        }
        else if (line.Length > maxRecordLength)
        {
            throw new InvalidDataException($"'{source}': line {LineNumber} is {line.Length} characters long, more than the {maxRecordLength} allowed ({nameof(CsvSchema)}.{nameof(CsvSchema.MaxRecordLength)}).");
        }

        _record = line;
        Split(line);
        return true;
    }

    // Follows the same rule as Split: a quote opens quoting only at the start of a field; inside quotes, a
    // doubled quote is one quote and a single one closes the field.
    private bool EndsInsideQuotes(string line, bool startsInside)
    {
        var inQuotes = startsInside;
        var atFieldStart = !startsInside;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
            }
            else if (c == separator)
            {
                atFieldStart = true;
            }
            else
            {
                inQuotes = c == '"' && atFieldStart;
                atFieldStart = false;
            }
        }

        return inQuotes;
    }

    public ReadOnlySpan<char> Field(int index)
    {
        var (start, length) = _fields[index];
        return start >= 0 ? _record.AsSpan(start, length) : _escaped.AsSpan(-start - 1, length);
    }

    private void Split(string line)
    {
        // The record reader ended the record outside quotes, so the splitter sees exactly one record.
        CsvFieldSplitter.Split(line, separator, _fields, _unescaped);
        _escaped = _unescaped.Length > 0 ? _unescaped.ToString() : string.Empty;
    }
}
