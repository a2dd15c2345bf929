using System.Buffers;

namespace ModelRetraining;

/// <summary>
/// Cuts a UTF-8 CSV file into parts of about <c>partBytes</c> at record ends, so the parts can be read at once
/// on several cores and each read names rows and lines as in the whole file: the cuts and counts are those
/// of <see cref="CsvRecordScanner"/>, the readers' rule. After a carriage return that no line feed follows,
/// no later cut is made: the rest of the file is the last part, which its reader reads by its own rules.
/// </summary>
internal sealed class CsvPartPlanner
{
    private readonly string _path;
    private readonly char _separator;
    private readonly long _partBytes;

    private CsvPartPlanner(string path, char separator, long partBytes)
    {
        _path = path;
        _separator = separator;
        _partBytes = partBytes;
    }

    /// <summary>Plans the parts of <paramref name="path"/>, or returns <see langword="null"/> when its separator or encoding cannot be scanned as bytes.</summary>
    public static IEnumerable<CsvFilePart>? Plan(string path, char separator, long partBytes)
    {
        if (!CsvRecordScanner.CanScan(separator) || HasWideByteOrderMark(path))
        {
            return null;
        }

        return new CsvPartPlanner(path, separator, partBytes).Parts();
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
            var scanner = new CsvRecordScanner(_separator);
            long offset = 0;
            int read;
            var number = 0;
            long headerEnd = -1, partStart = -1;
            long linesBefore = 0, rowsBefore = 0;
            while (!scanner.SawLoneCarriageReturn && (read = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                var from = 0;
                while (from < read)
                {
                    var end = scanner.Scan(buffer.AsSpan(from, read - from));
                    if (end < 0)
                    {
                        break;
                    }

                    from += end;
                    var position = offset + from;
                    if (headerEnd < 0)
                    {
                        headerEnd = partStart = position;
                        continue;
                    }

                    // Cut here, unless what is left is under half a part: it joins this one.
                    if (position - partStart >= _partBytes && length - position >= _partBytes / 2)
                    {
                        yield return new CsvFilePart(++number, headerEnd, partStart, position, linesBefore, rowsBefore);
                        partStart = position;
                        linesBefore = scanner.Lines;
                        rowsBefore = scanner.Records;
                    }
                }

                offset += read;
            }

            if (headerEnd < 0)
            {
                yield break; // no header end: the whole file's reader says what is wrong with it
            }

            yield return new CsvFilePart(++number, headerEnd, partStart, length, linesBefore, rowsBefore);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
