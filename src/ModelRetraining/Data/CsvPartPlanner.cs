using System.Buffers;

namespace ModelRetraining;

/// <summary>
/// Cuts a UTF-8 CSV file into parts of about <c>partBytes</c> at record ends, so the parts can be read at once
/// on several cores and each read names rows and lines as in the whole file. It follows the rule the readers
/// follow (<see cref="CsvFieldSplitter"/>): a quote opens a field only at its start, <c>""</c> inside quotes is
/// one quote, a line feed inside quotes is a line but not a record end; a record that is empty or only
/// <c>""</c> is blank (not a data row). Only quote, line feed and carriage return are looked at one by one;
/// the bytes between them are skipped with a vectorized search, so a plain file is scanned at memory speed.
/// Where the readers' line count could differ from a byte count (a carriage return not followed by a line
/// feed), no later cut is made: the rest of the file is the last part, which its reader reads by its own rules.
/// </summary>
internal sealed class CsvPartPlanner
{
    private static readonly SearchValues<byte> Specials = SearchValues.Create("\"\n\r"u8);
    private readonly string _path;
    private readonly byte _separator;
    private readonly long _partBytes;

    private CsvPartPlanner(string path, byte separator, long partBytes)
    {
        _path = path;
        _separator = separator;
        _partBytes = partBytes;
    }

    /// <summary>Plans the parts of <paramref name="path"/>, or returns <see langword="null"/> when its separator or encoding cannot be scanned as bytes.</summary>
    public static IEnumerable<CsvFilePart>? Plan(string path, char separator, long partBytes)
    {
        if (separator is > (char)127 or '"' or '\n' or '\r' || HasWideByteOrderMark(path))
        {
            return null;
        }

        return new CsvPartPlanner(path, (byte)separator, partBytes).Parts();
    }

    // UTF-16 and UTF-32 files (the text readers detect them by their byte order mark) cannot be cut as bytes.
    private static bool HasWideByteOrderMark(string path)
    {
        Span<byte> head = stackalloc byte[2];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var read = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        return read == 2 && (head is [0xFF, 0xFE] or [0xFE, 0xFF] || (head[0] == 0 && head[1] == 0));
    }

    private IEnumerable<CsvFilePart> Parts()
    {
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var length = file.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var state = new ScanState { Previous = (byte)'\n' };
            long offset = 0;
            int read;
            var number = 0;
            long partStart = -1;
            long linesBefore = 0, rowsBefore = 0;
            while (!state.Stopped && (read = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                var from = 0;
                if (offset == 0 && read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
                {
                    from = 3; // a UTF-8 byte order mark: the header's first field starts after it
                }

                while (from < read)
                {
                    var end = Scan(ref state, buffer.AsSpan(from, read - from));
                    if (end < 0)
                    {
                        break;
                    }

                    from += end;
                    var position = offset + from;
                    if (partStart < 0)
                    {
                        partStart = position; // the header just ended
                        state.HeaderEnd = position;
                        continue;
                    }

                    // Cut here, unless what is left is under half a part: it joins this one.
                    if (position - partStart >= _partBytes && length - position >= _partBytes / 2)
                    {
                        yield return new CsvFilePart(++number, state.HeaderEnd, partStart, position, linesBefore, rowsBefore);
                        partStart = position;
                        linesBefore = state.Lines;
                        rowsBefore = state.Rows;
                    }
                }

                offset += read;
            }

            if (partStart < 0)
            {
                yield break; // no header end: the whole file's reader says what is wrong with it
            }

            yield return new CsvFilePart(++number, state.HeaderEnd, partStart, length, linesBefore, rowsBefore);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Scans until a record ends outside quotes; returns the index just past its line feed, or -1 when the bytes
    // ran out (or the scan stopped) first. The state carries over to the next call and the next buffer.
    private int Scan(ref ScanState s, ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length && !s.Stopped)
        {
            if (s.PendingCarriageReturn)
            {
                s.PendingCarriageReturn = false;
                if (bytes[i] != (byte)'\n')
                {
                    s.Stopped = true; // a lone carriage return: no cut can be trusted after it
                    return -1;
                }
            }

            if (!s.InQuotes && s.QuoteMayEscape)
            {
                s.QuoteMayEscape = false;
                if (bytes[i] == (byte)'"')
                {
                    s.InQuotes = true; // "" inside a quoted field: one quote, the field goes on
                    s.Quotes++;
                    s.Previous = (byte)'"';
                    i++;
                    continue;
                }
            }

            var skip = bytes[i..].IndexOfAny(Specials);
            if (skip < 0)
            {
                s.Content += bytes.Length - i;
                s.Previous = bytes[^1];
                return -1;
            }

            if (skip > 0)
            {
                s.Content += skip;
                i += skip;
                s.Previous = bytes[i - 1];
            }

            var b = bytes[i];
            i++;
            if (b == (byte)'\r')
            {
                if (i == bytes.Length)
                {
                    s.PendingCarriageReturn = true;
                }
                else if (bytes[i] != (byte)'\n')
                {
                    s.Stopped = true;
                    return -1;
                }

                s.Previous = b;
                continue;
            }

            if (s.InQuotes)
            {
                if (b == (byte)'"')
                {
                    s.InQuotes = false;
                    s.QuoteMayEscape = true;
                    s.Quotes++;
                }
                else
                {
                    s.Content++;
                    s.Lines += s.PastHeader ? 1 : 0; // a line break inside a quoted field is a line, not a record
                }

                s.Previous = b;
                continue;
            }

            if (b == (byte)'"')
            {
                if (s.Previous == _separator || s.Previous == (byte)'\n')
                {
                    s.InQuotes = true;
                    s.Quotes++;
                }
                else
                {
                    s.Content++; // a quote inside an unquoted field is text
                }

                s.Previous = b;
                continue;
            }

            // A line feed outside quotes: a record ends.
            s.Previous = b;
            if (!s.PastHeader)
            {
                s.PastHeader = true;
            }
            else
            {
                s.Lines++;
                s.Rows += s.Content == 0 && s.Quotes is 0 or 2 ? 0 : 1;
            }

            s.Content = 0;
            s.Quotes = 0;
            return i;
        }

        return -1;
    }

    private struct ScanState
    {
        public bool InQuotes;
        public bool QuoteMayEscape;
        public bool PendingCarriageReturn;
        public bool PastHeader;
        public bool Stopped;
        public byte Previous;
        public long HeaderEnd;
        public long Lines;
        public long Rows;
        public long Content; // the record's bytes so far other than its structural quotes and line end
        public int Quotes;   // the record's structural quotes so far
    }
}
