namespace ModelRetraining.AspNetCore;

/// <summary>
/// Finds where a body can be cut into parts without splitting a record: at a line feed outside quotes (CSV:
/// a quote opens a field only at its start and <c>""</c> inside is one quote, as <c>CsvRecordReader</c>
/// reads it; JSON Lines: every line feed, as JSON strings cannot hold one). Only the ASCII bytes of quote,
/// separator and line feed matter, so UTF-8 text is scanned as bytes. It counts the lines and the
/// non-blank records it passed, so each part's reader numbers its messages as in the whole body.
/// </summary>
internal sealed class RecordBoundaries(BodySplit split, byte separator)
{
    private bool _inQuotes;
    private bool _quoteMayEscape; // a quote just closed a quoted field: a quote next is an escaped one
    private byte _previous = (byte)'\n';
    private bool _recordHasContent;
    private long _position;
    private long _bomBytes;

    /// <summary>Gets whether the first record (a CSV header) has ended.</summary>
    public bool PastHeader { get; private set; }

    /// <summary>Gets the line feeds passed after the header (JSON Lines: all of them).</summary>
    public long Lines { get; private set; }

    /// <summary>Gets the non-blank records passed after the header.</summary>
    public long Records { get; private set; }

    /// <summary>Gets whether the bytes scanned since the last record end hold a record (a body may end without a line break).</summary>
    public bool HasOpenRecord => _recordHasContent && PastHeaderOrLines;

    /// <summary>Gets whether a carriage return not followed by a line feed was seen: the reader takes it for a line break and the cutter does not, so no cut may follow.</summary>
    public bool SawLoneCarriageReturn { get; private set; }

    private bool PastHeaderOrLines => split == BodySplit.Lines || PastHeader;

    /// <summary>Scans <paramref name="bytes"/> and returns the index just past the CSV header's end, or past the first record end after which <see cref="Records"/> reaches <paramref name="recordsWanted"/>; -1 when neither comes in them (all scanned).</summary>
    public int Scan(ReadOnlySpan<byte> bytes, long recordsWanted)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (_position < 3 && _bomBytes == _position && b == "\uFEFF"u8[(int)_position])
            {
                _bomBytes++;
                _position++;
                continue; // a UTF-8 byte order mark: the first field still starts after it
            }

            _position++;

            if (_previous == (byte)'\r' && b != (byte)'\n')
            {
                SawLoneCarriageReturn = true;
                return -1;
            }

            if (split == BodySplit.Lines)
            {
                if (b == (byte)'\n')
                {
                    if (EndRecord(recordsWanted))
                    {
                        return i + 1;
                    }
                }
                else if (b is not ((byte)'\r' or (byte)' ' or (byte)'\t'))
                {
                    _recordHasContent = true;
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
                }
                else
                {
                    Lines += b == (byte)'\n' && PastHeader ? 1 : 0; // a line break inside a quoted field is a line, not a record
                    _recordHasContent = true;
                }

                _previous = b;
                continue;
            }

            if (b == (byte)'"' && (_quoteMayEscape || _previous == separator || _previous == (byte)'\n'))
            {
                _recordHasContent |= _quoteMayEscape; // "" inside quotes is a quote; a record of only "" is blank, as the readers take it
                _inQuotes = true;
                _quoteMayEscape = false;
                _previous = b;
                continue;
            }

            _quoteMayEscape = false;
            _previous = b;
            if (b == (byte)'\n')
            {
                if (!PastHeader)
                {
                    PastHeader = true;
                    _recordHasContent = false;
                    return i + 1;
                }

                if (EndRecord(recordsWanted))
                {
                    return i + 1;
                }
            }
            else if (b != (byte)'\r')
            {
                _recordHasContent = true;
            }
        }

        return -1;
    }

    private bool EndRecord(long recordsWanted)
    {
        Lines++;
        if (_recordHasContent)
        {
            Records++;
        }

        _recordHasContent = false;
        return Records >= recordsWanted;
    }
}
