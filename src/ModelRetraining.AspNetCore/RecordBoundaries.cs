namespace ModelRetraining.AspNetCore;

/// <summary>
/// Finds where a body can be cut into parts without splitting a record: CSV at a record end by the readers'
/// rule (<see cref="CsvRecordScanner"/>, the scanner that also cuts large files); JSON Lines at every line
/// feed, as JSON strings cannot hold one. It counts the lines and the non-blank records it passed, so each
/// part's reader numbers its messages as in the whole body.
/// </summary>
internal sealed class RecordBoundaries
{
    private readonly CsvRecordScanner? _csv;
    private bool _lineHasContent; // JSON Lines: the line so far holds more than blanks
    private byte _previous = (byte)'\n';
    private long _position;
    private long _bomBytes;
    private long _lines;
    private long _records;
    private bool _sawLoneCarriageReturn;

    public RecordBoundaries(BodySplit split, byte separator)
    {
        _csv = split == BodySplit.CsvRecords ? new CsvRecordScanner((char)separator) : null;
    }

    /// <summary>Gets whether the first record (a CSV header) has ended.</summary>
    public bool PastHeader => _csv?.PastHeader ?? true;

    /// <summary>Gets the line feeds passed after the header (JSON Lines: all of them).</summary>
    public long Lines => _csv?.Lines ?? _lines;

    /// <summary>Gets the non-blank records passed after the header.</summary>
    public long Records => _csv?.Records ?? _records;

    /// <summary>Gets whether the bytes scanned since the last record end hold a record (a body may end without a line break).</summary>
    public bool HasOpenRecord => _csv?.HasOpenRecord ?? _lineHasContent;

    /// <summary>Gets whether a carriage return not followed by a line feed was seen: the reader takes it for a line break and the cutter does not, so no cut may follow.</summary>
    public bool SawLoneCarriageReturn => _csv?.SawLoneCarriageReturn ?? _sawLoneCarriageReturn;

    /// <summary>Scans <paramref name="bytes"/> and returns the index just past the CSV header's end, or past the first record end after which <see cref="Records"/> reaches <paramref name="recordsWanted"/>; -1 when neither comes in them (all scanned).</summary>
    public int Scan(ReadOnlySpan<byte> bytes, long recordsWanted)
    {
        if (_csv is null)
        {
            return ScanLines(bytes, recordsWanted);
        }

        var consumed = 0;
        while (consumed < bytes.Length)
        {
            var inHeader = !_csv.PastHeader;
            var end = _csv.Scan(bytes[consumed..]);
            if (end < 0)
            {
                return -1;
            }

            consumed += end;
            if (inHeader || _csv.Records >= recordsWanted)
            {
                return consumed;
            }
        }

        return -1;
    }

    private int ScanLines(ReadOnlySpan<byte> bytes, long recordsWanted)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (_position < 3 && _bomBytes == _position && b == "\uFEFF"u8[(int)_position])
            {
                _bomBytes++;
                _position++;
                continue; // a UTF-8 byte order mark is not content
            }

            _position++;
            if (_previous == (byte)'\r' && b != (byte)'\n')
            {
                _sawLoneCarriageReturn = true;
                return -1;
            }

            _previous = b;
            if (b == (byte)'\n')
            {
                _lines++;
                _records += _lineHasContent ? 1 : 0;
                _lineHasContent = false;
                if (_records >= recordsWanted)
                {
                    return i + 1;
                }
            }
            else if (b is not ((byte)'\r' or (byte)' ' or (byte)'\t'))
            {
                _lineHasContent = true;
            }
        }

        return -1;
    }
}
