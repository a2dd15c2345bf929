using System.Text;

namespace ModelRetraining;

/// <summary>
/// Splits RFC 4180 records: separators inside quotes, doubled quotes as one quote, and line breaks
/// inside quoted fields. Fields are handed out as spans of the current record, unescaped only when needed.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, char separator)
{
    private readonly List<(int Start, int Length)> _fields = [];
    private readonly StringBuilder _unescaped = new();
    private string _record = string.Empty;
    private string _escaped = string.Empty;
    private bool _hasEscapes;

    public int FieldCount => _fields.Count;

    /// <summary>Gets the 1-based line where the current record starts.</summary>
    public long LineNumber { get; private set; }

    private long _nextLine = 1;

    public string RawRecord => _record;

    public bool Read()
    {
        var line = reader.ReadLine();
        if (line is null)
        {
            return false;
        }

        LineNumber = _nextLine;
        _nextLine++;
        if (line.Contains('"', StringComparison.Ordinal))
        {
            // A quoted field may span lines: keep reading while the quotes are unbalanced.
            var record = line;
            while (CountQuotes(record) % 2 == 1)
            {
                var next = reader.ReadLine();
                if (next is null)
                {
                    throw new InvalidDataException($"A quoted field opened on line {LineNumber} is never closed.");
                }

                _nextLine++;
                record = record + "\n" + next;
            }

            line = record;
        }

        _record = line;
        Split(line);
        return true;
    }

    public ReadOnlySpan<char> Field(int index)
    {
        var (start, length) = _fields[index];
        return start >= 0 ? _record.AsSpan(start, length) : _escaped.AsSpan(-start - 1, length);
    }

    private static int CountQuotes(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (c == '"')
            {
                count++;
            }
        }

        return count;
    }

    private void Split(string line)
    {
        _fields.Clear();
        _hasEscapes = false;
        _unescaped.Clear();
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                // Quoted field: unescape into the side buffer; its span is addressed with a negative start.
                var begin = _unescaped.Length;
                i++;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            _unescaped.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    _unescaped.Append(line[i]);
                    i++;
                }

                // Anything between the closing quote and the separator is kept, as most readers do.
                while (i < line.Length && line[i] != separator)
                {
                    _unescaped.Append(line[i]);
                    i++;
                }

                _hasEscapes = true;
                _fields.Add((-begin - 1, _unescaped.Length - begin));
            }
            else
            {
                var end = line.IndexOf(separator, i);
                if (end < 0)
                {
                    end = line.Length;
                }

                _fields.Add((i, end - i));
                i = end;
            }

            if (i >= line.Length)
            {
                break;
            }

            i++; // separator
            if (i == line.Length)
            {
                _fields.Add((i, 0));
                break;
            }
        }

        _escaped = _hasEscapes ? _unescaped.ToString() : string.Empty;
    }
}
