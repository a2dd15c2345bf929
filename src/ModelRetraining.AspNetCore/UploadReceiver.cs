using System.Threading.Channels;

namespace ModelRetraining.AspNetCore;

/// <summary>
/// Receives a body into part files as it arrives: a part is closed after <c>partRows</c> records and handed
/// to the reader (through a channel of one, so at most a part waits while another is read and a third is
/// received), and the next begins with the body's header. The byte limit is checked as bytes arrive. Every
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

    private async Task ReceiveCoreAsync(Stream body, CancellationToken cancellationToken)
    {
        var boundaries = new RecordBoundaries(format.Split, separator);
        var header = new MemoryStream();
        var buffer = new byte[1 << 16];
        var part = Open(0, 0);
        var file = NewFile(part);
        var recordsInPart = 0L;
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
                    var inHeader = format.Split == BodySplit.CsvRecords && !boundaries.PastHeader;
                    var cut = splits ? boundaries.Scan(chunk.Span, recordsInPart + partRows) : -1;
                    var piece = cut < 0 ? chunk : chunk[..cut];
                    await file.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                    if (inHeader)
                    {
                        // Kept to begin every later part with; a "header" past 1 MiB is no header, and the body stays one part.
                        splits = header.Length + piece.Length <= MaxHeaderBytes;
                        header.Write(piece.Span);
                    }

                    if (cut < 0)
                    {
                        break;
                    }

                    chunk = chunk[cut..];
                    if (inHeader)
                    {
                        continue; // the header ended: records follow
                    }

                    await file.DisposeAsync().ConfigureAwait(false);
                    await _parts.Writer.WriteAsync(part, cancellationToken).ConfigureAwait(false);
                    recordsInPart = boundaries.Records;
                    part = Open(boundaries.Lines, boundaries.Records);
                    file = NewFile(part);
                    header.Position = 0;
                    await header.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                }
            }

            await file.DisposeAsync().ConfigureAwait(false);

            // A body that ended right after a cut leaves a last part of the header alone: nothing to read.
            if (part.RowsBefore == 0 || boundaries.Records > part.RowsBefore)
            {
                await _parts.Writer.WriteAsync(part, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await file.DisposeAsync().ConfigureAwait(false);
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
