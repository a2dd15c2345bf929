using System.Buffers;

namespace ModelRetraining;

/// <summary>
/// Finds where UTF-8 CSV bytes can be cut without splitting a record, fed in chunks of any size, and counts
/// the lines and data rows passed, so a reader of what follows a cut numbers its messages as in the whole
/// (<see cref="CsvDataSource.ContinuingAt"/>). It follows the rule the CSV readers follow: a quote opens a
/// field only at its start, <c>""</c> inside quotes is one quote, a line feed inside quotes is a line but
/// not a record end, and a record that is empty or only <c>""</c> is blank (not a data row). A UTF-8 byte
/// order mark before the header is skipped. Only quote, line feed and carriage return are looked at one by
/// one; the bytes between them are skipped with a vectorized search. After a carriage return that no line
/// feed follows (which the readers take for a line break) it stops: no cut after it could be trusted.
/// The upload endpoint cuts bodies with it, and <see cref="DatasetStore.AppendAsync"/> large files.
/// </summary>
public sealed class CsvRecordScanner
{
    private static readonly SearchValues<byte> Specials = SearchValues.Create("\"\n\r"u8);
    private readonly byte _separator;
    private bool _inQuotes;
    private bool _quoteMayEscape; // a quote just closed a quoted field: a quote next is an escaped one
    private bool _pendingCarriageReturn;
    private byte _previous = (byte)'\n';
    private long _scanned;
    private long _content; // the record's bytes so far other than its structural quotes and line end
    private int _quotes;   // the record's structural quotes so far

    /// <summary>Initializes a new instance of the <see cref="CsvRecordScanner"/> class.</summary>
    /// <param name="separator">The field separator: an ASCII character other than a quote or a line break.</param>
    /// <exception cref="ArgumentException">The separator is not such a character.</exception>
    public CsvRecordScanner(char separator)
    {
        if (!CanScan(separator))
        {
            throw new ArgumentException($"The separator '{separator}' cannot be scanned as a byte: it must be an ASCII character other than a quote or a line break.", nameof(separator));
        }

        _separator = (byte)separator;
    }

    /// <summary>Gets whether the first record (the header) has ended.</summary>
    public bool PastHeader { get; private set; }

    /// <summary>Gets the line feeds passed after the header, those inside quoted fields included.</summary>
    public long Lines { get; private set; }

    /// <summary>Gets the data rows (non-blank records) passed after the header.</summary>
    public long Records { get; private set; }

    /// <summary>Gets whether the bytes scanned since the last record end hold a record (a body may end without a line break).</summary>
    public bool HasOpenRecord => PastHeader && !(_content == 0 && _quotes is 0 or 2);

    /// <summary>Gets whether a carriage return not followed by a line feed was seen: the scan stopped there.</summary>
    public bool SawLoneCarriageReturn { get; private set; }

    /// <summary>Tells whether a separator can be scanned as a byte.</summary>
    /// <param name="separator">The separator.</param>
    /// <returns><see langword="true"/> for an ASCII character other than a quote or a line break.</returns>
    public static bool CanScan(char separator) => separator is <= (char)127 and not ('"' or '\n' or '\r');

    /// <summary>Scans until a record (the header included) ends outside quotes; the state carries over to the next call.</summary>
    /// <param name="bytes">The next bytes.</param>
    /// <returns>The index just past the record's line feed, or -1 when the bytes ran out first, or the scan stopped (<see cref="SawLoneCarriageReturn"/>).</returns>
    public int Scan(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        try
        {
            while (_scanned + i < 3 && i < bytes.Length && bytes[i] == "\uFEFF"u8[(int)(_scanned + i)] && _previous == (byte)'\n' && !PastHeader && _content == 0)
            {
                i++; // a UTF-8 byte order mark: the first field still starts after it
            }

            while (i < bytes.Length && !SawLoneCarriageReturn)
            {
                if (_pendingCarriageReturn)
                {
                    _pendingCarriageReturn = false;
                    if (bytes[i] != (byte)'\n')
                    {
                        SawLoneCarriageReturn = true;
                        return -1;
                    }
                }

                if (!_inQuotes && _quoteMayEscape)
                {
                    _quoteMayEscape = false;
                    if (bytes[i] == (byte)'"')
                    {
                        _inQuotes = true; // "" inside a quoted field: one quote, and the field goes on
                        _content++;
                        _previous = (byte)'"';
                        i++;
                        continue;
                    }
                }

                var skip = bytes[i..].IndexOfAny(Specials);
                if (skip < 0)
                {
                    _content += bytes.Length - i;
                    _previous = bytes[^1];
                    i = bytes.Length;
                    return -1;
                }

                if (skip > 0)
                {
                    _content += skip;
                    i += skip;
                    _previous = bytes[i - 1];
                }

                var b = bytes[i++];
                if (b == (byte)'\r')
                {
                    if (i == bytes.Length)
                    {
                        _pendingCarriageReturn = true;
                    }
                    else if (bytes[i] != (byte)'\n')
                    {
                        SawLoneCarriageReturn = true;
                        return -1;
                    }

                    _previous = b;
                    continue;
                }

                if (_inQuotes)
                {
                    if (b == (byte)'"')
                    {
                        _inQuotes = false;
                        _quoteMayEscape = true;
                        _quotes++;
                    }
                    else
                    {
                        _content++;
                        Lines += PastHeader ? 1 : 0; // a line break inside a quoted field is a line, not a record
                    }

                    _previous = b;
                    continue;
                }

                if (b == (byte)'"')
                {
                    if (_previous == _separator || _previous == (byte)'\n')
                    {
                        _inQuotes = true;
                        _quotes++;
                    }
                    else
                    {
                        _content++; // a quote inside an unquoted field is text
                    }

                    _previous = b;
                    continue;
                }

                // A line feed outside quotes: a record ends.
                _previous = b;
                if (PastHeader)
                {
                    Lines++;
                    Records += _content == 0 && _quotes is 0 or 2 ? 0 : 1;
                }

                PastHeader = true;
                _content = 0;
                _quotes = 0;
                return i;
            }

            return -1;
        }
        finally
        {
            _scanned += i;
        }
    }
}
