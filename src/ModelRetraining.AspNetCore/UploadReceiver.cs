using System.Threading.Channels;

namespace ModelRetraining.AspNetCore;

/// <summary>
/// Receives a body into part files as it arrives: a part is closed after <c>partRows</c> records and handed
/// to the reader one part later (through a channel of one, so at most one part is read, one waits, one is
/// held and one is received), and the next begins with the body's header. The byte limit is checked as bytes arrive. Every
/// file it made is deleted by <see cref="Dispose"/> (after the receive ended), read or not.
/// </summary>
internal sealed class UploadReceiver(BodyFormat format, byte separator, int partRows, long maxBytes, string folder) : IDisposable
{
    private const int MaxHeaderBytes = 1 << 20;
    private readonly List<string> _files = [];
    private readonly Channel<UploadPart> _parts = Channel.CreateBounded<UploadPart>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });

    /// <summary>Gets the parts as they are received; the reading ends with the body, or with the receive's failure.</summary>
    public ChannelReader<UploadPart> Parts => _parts.Reader;

    /// <summary>Gets the bytes received.</summary>
    public long Bytes { get; private set; }

    public async Task ReceiveAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            await ReceiveCoreAsync(body, cancellationToken).ConfigureAwait(false);
            _parts.Writer.Complete();
        }
        catch (Exception ex)
        {
            _parts.Writer.Complete(ex);
        }
    }

    // A part read is deleted at once, so the disk holds at most three: one read, one waiting, one arriving.
    public void Delete(UploadPart part)
    {
        File.Delete(part.Path);
        lock (_files)
        {
            _files.Remove(part.Path);
        }
    }

    public void Dispose()
    {
        lock (_files)
        {
            foreach (var file in _files)
            {
                File.Delete(file);
            }
        }
    }

    // A closed part is held back until the next one is closed too: when the body ends with a short part
    // (under half a part), its records join the held one, so no part is much smaller than PartRows and
    // rules on a part's size (a minimum row count) judge a real share of the body.
    private async Task ReceiveCoreAsync(Stream body, CancellationToken cancellationToken)
    {
        var boundaries = new RecordBoundaries(format.Split, separator);
        var header = new MemoryStream();
        var buffer = new byte[1 << 16];
        var part = Open(0, 0);
        var file = NewFile(part);
        UploadPart? held = null;
        var splits = format.Split != BodySplit.Whole;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Bytes += read;
                if (Bytes > maxBytes)
                {
                    throw new BodyTooLargeException();
                }

                var chunk = buffer.AsMemory(0, read);
                while (!chunk.IsEmpty)
                {
                    var inHeader = splits && format.Split == BodySplit.CsvRecords && !boundaries.PastHeader;
                    var cut = splits ? boundaries.Scan(chunk.Span, part.RowsBefore + partRows) : -1;
                    var piece = cut < 0 ? chunk : chunk[..cut];
                    await file.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                    if (inHeader)
                    {
                        // Kept to begin every later part with; a "header" past 1 MiB is no header, and the body stays one part.
                        header.Write(piece.Span);
                        splits = header.Length <= MaxHeaderBytes;
                    }

                    // A lone carriage return is a line break to the reader but not to the cutter: from there on, no more cuts.
                    splits &= !boundaries.SawLoneCarriageReturn;
                    if (cut < 0 || !splits)
                    {
                        break;
                    }

                    chunk = chunk[cut..];
                    if (inHeader)
                    {
                        continue; // the header ended: records follow
                    }

                    await file.DisposeAsync().ConfigureAwait(false);
                    if (held is not null)
                    {
                        await _parts.Writer.WriteAsync(held, cancellationToken).ConfigureAwait(false);
                    }

                    held = part;
                    part = Open(boundaries.Lines, boundaries.Records);
                    file = NewFile(part);
                    header.Position = 0;
                    await header.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }

                if (!splits && header.Length > 0)
                {
                    header.SetLength(0); // no more parts to begin with it
                }
            }

            await file.DisposeAsync().ConfigureAwait(false);
            var records = boundaries.Records + (boundaries.HasOpenRecord ? 1 : 0); // a last record without a line break counts
            var last = records > part.RowsBefore || held is null ? part : null;   // a part of the header alone holds nothing
            if (held is not null && last is not null && records - last.RowsBefore < partRows / 2)
            {
                await AppendRecordsAsync(last, held, header.Length, cancellationToken).ConfigureAwait(false);
                last = null;
            }

            if (held is not null)
            {
                await _parts.Writer.WriteAsync(held, cancellationToken).ConfigureAwait(false);
            }

            if (last is not null)
            {
                await _parts.Writer.WriteAsync(last, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The short last part's records (past its copy of the header) go to the end of the part before it.
    private static async Task AppendRecordsAsync(UploadPart from, UploadPart to, long headerLength, CancellationToken cancellationToken)
    {
        var source = new FileStream(from.Path, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (source.ConfigureAwait(false))
        {
            var target = new FileStream(to.Path, FileMode.Append, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (target.ConfigureAwait(false))
            {
                source.Position = headerLength;
                await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private UploadPart Open(long linesBefore, long rowsBefore)
    {
        var path = Path.Combine(folder, $"mr-upload-{Guid.NewGuid():N}{format.Extension}");
        lock (_files)
        {
            _files.Add(path);
        }

        return new UploadPart(path, linesBefore, rowsBefore);
    }

    private static FileStream NewFile(UploadPart part) => new(part.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
}
