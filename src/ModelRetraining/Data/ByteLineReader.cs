namespace ModelRetraining;

/// <summary>
/// Splits a UTF-8 stream on LF without decoding it (a JSON text holds no raw line break, so each line is
/// one JSON value). A line is handed out as memory valid until the next call; one longer than the limit
/// stops the read with its line number.
/// </summary>
internal sealed class ByteLineReader(Stream stream, int maxLineBytes, string source)
{
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _done;
    private long _line;
    private bool _first = true;

    public ReadOnlyMemory<byte>? Next()
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                return Hand(line);
            }

            if (_done)
            {
                if (_start == _end)
                {
                    return null;
                }

                var last = _buffer.AsMemory(_start, _end - _start);
                _start = _end;
                return Hand(last);
            }

            Fill();
        }
    }

    private ReadOnlyMemory<byte> Hand(ReadOnlyMemory<byte> line)
    {
        _line++;
        if (line.Length > maxLineBytes)
        {
            throw new InvalidDataException($"'{source}': line {_line} is longer than {maxLineBytes} bytes ({nameof(CsvSchema)}.{nameof(CsvSchema.MaxRecordLength)}); raise it if records are really this long.");
        }

        if (_first)
        {
            _first = false;
            if (line.Span.StartsWith("\uFEFF"u8))
            {
                line = line[3..]; // a UTF-8 byte order mark
            }
        }

        return line;
    }

    private void Fill()
    {
        if (_end - _start > maxLineBytes)
        {
            throw new InvalidDataException($"'{source}': line {_line + 1} is longer than {maxLineBytes} bytes ({nameof(CsvSchema)}.{nameof(CsvSchema.MaxRecordLength)}); raise it if records are really this long.");
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        _done = read == 0;
        _end += read;
    }
}
