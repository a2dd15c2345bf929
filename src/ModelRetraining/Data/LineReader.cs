using System.Text;

namespace ModelRetraining;

/// <summary>
/// Reads lines as <see cref="TextReader.ReadLine"/> does (LF, CRLF or CR ends one), but says which break
/// ended each, so a line break inside a quoted CSV field is kept as the file wrote it (CRLF stays CRLF).
/// </summary>
internal sealed class LineReader(TextReader inner)
{
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _long = new();
    private int _position;
    private int _length;

    /// <summary>Reads the next line without its break; <see langword="null"/> at the end of the text.</summary>
    public string? ReadLine(out string lineBreak)
    {
        _long.Clear();
        var any = false;
        while (true)
        {
            if (_position == _length && !Fill())
            {
                lineBreak = string.Empty;
                return any ? _long.ToString() : null;
            }

            any = true;
            var rest = _buffer.AsSpan(_position, _length - _position);
            var end = rest.IndexOfAny('\r', '\n');
            if (end < 0)
            {
                _long.Append(rest);
                _position = _length;
                continue;
            }

            // Most lines lie inside the buffer: make the string straight from it.
            var line = _long.Length == 0 ? new string(rest[..end]) : _long.Append(rest[..end]).ToString();
            var breakChar = rest[end];
            _position += end + 1;
            lineBreak = "\n";
            if (breakChar == '\r')
            {
                lineBreak = "\r";
                if ((_position < _length || Fill()) && _buffer[_position] == '\n')
                {
                    _position++;
                    lineBreak = "\r\n";
                }
            }

            return line;
        }
    }

    private bool Fill()
    {
        _length = inner.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
