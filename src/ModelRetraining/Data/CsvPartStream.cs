namespace ModelRetraining;

/// <summary>
/// A part of a CSV file read as a file of its own: the header's bytes, then the part's. Its length and
/// position are the part's, so presizing and progress judge the part and not the whole file.
/// </summary>
internal sealed class CsvPartStream : Stream
{
    private readonly FileStream _file;
    private readonly CsvFilePart _part;
    private long _position;

    public CsvPartStream(string path, CsvFilePart part)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        _part = part;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _part.HeaderEnd + (_part.End - _part.Start);

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var left = Length - _position;
        if (left <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        // Header bytes come from [0, HeaderEnd), the rest from [Start, End).
        var inHeader = _position < _part.HeaderEnd;
        var at = inHeader ? _position : _part.Start + (_position - _part.HeaderEnd);
        var available = inHeader ? _part.HeaderEnd - _position : left;
        if (_file.Position != at)
        {
            _file.Position = at;
        }

        var read = _file.Read(buffer[..(int)Math.Min(buffer.Length, available)]);
        if (read == 0)
        {
            throw new EndOfStreamException($"'{_file.Name}' ended at byte {at}, inside the part [{_part.Start}, {_part.End}) planned from it: was it changed while it was read?");
        }

        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
