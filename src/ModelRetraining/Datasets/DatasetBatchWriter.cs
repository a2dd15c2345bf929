using System.Security.Cryptography;
using System.Text;

namespace ModelRetraining;

/// <summary>
/// One batch stored in parts (<see cref="DatasetStore.BeginBatch"/>), so a batch larger than memory is read,
/// checked and encoded one part at a time and memory holds one part, never the batch. Each part is checked as
/// it is added (schema, quality with quarantine, drift: the validators of <c>checkWith</c>, on that part); an
/// Error-level issue in any part refuses the whole batch at once. The encoded parts wait in a temporary file
/// (deleted when the writer is disposed, committed or not) and reach the store only in
/// <see cref="CommitAsync"/>, so a refused or abandoned batch leaves nothing in the store.
/// </summary>
public sealed class DatasetBatchWriter : IAsyncDisposable
{
    private readonly DatasetStore _store;
    private readonly string? _idempotencyKey;
    private readonly RetrainingPipeline? _checkWith;
    private readonly List<(long Offset, int Length)> _spooled = [];
    private readonly List<string> _fingerprints = [];
    private readonly List<DataValidationIssue> _warnings = [];
    private byte[]? _firstPart;
    private FileStream? _spool;
    private DatasetSnapshot? _first;
    private bool _closed;

    private readonly string _spoolFolder;

    internal DatasetBatchWriter(DatasetStore store, string dataset, string sentBy, string? idempotencyKey, RetrainingPipeline? checkWith, string spoolFolder)
    {
        _spoolFolder = spoolFolder;
        _store = store;
        Dataset = dataset;
        SentBy = sentBy;
        _idempotencyKey = idempotencyKey;
        _checkWith = checkWith;
    }

    /// <summary>Gets the dataset the batch goes to.</summary>
    public string Dataset { get; }

    /// <summary>Gets who sends it.</summary>
    public string SentBy { get; }

    /// <summary>Gets how many parts were added.</summary>
    public int Parts => _fingerprints.Count;

    /// <summary>Gets the rows read so far, quarantined ones included.</summary>
    public long RowsRead { get; private set; }

    /// <summary>Gets the rows kept so far (read less quarantined).</summary>
    public long Rows { get; private set; }

    /// <summary>Gets the rows quarantined so far.</summary>
    public long Quarantined { get; private set; }

    /// <summary>
    /// Reads a part, checks it and keeps its encoded rows for the commit. Every part must have the schema of
    /// the first. Issues name the part's source (its name says which part of the batch it is).
    /// </summary>
    /// <param name="part">The part's rows.</param>
    /// <param name="cancellationToken">Cancels the read; the writer can no longer commit.</param>
    /// <returns>A task that completes when the part is kept.</returns>
    /// <exception cref="DatasetBatchRefusedException">The part had Error-level issues, or another schema than the first part; the batch is refused and the writer closed.</exception>
    /// <exception cref="InvalidOperationException">The writer was committed, refused or disposed.</exception>
    public async ValueTask AddPartAsync(IDataSource part, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(part);
        ThrowIfClosed();
        try
        {
            await KeepAsync(await PrepareAsync(part, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Adds parts read <paramref name="parallelism"/> at a time: each is read, checked and encoded on a core of
    /// its own, and kept in order, so the batch, its issues and its refusal are those of adding them one by one.
    /// About <paramref name="parallelism"/> parts are in memory (plus the first part, kept until a second arrives). The parts are enumerated here, one ahead of
    /// the reads (a plan that scans the file runs while the parts are read).
    /// </summary>
    internal async ValueTask AddPartsAsync(IEnumerable<IDataSource> parts, int parallelism, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = new Queue<Task<PreparedPart>>();
        try
        {
            // Planning the next part (a scan of the file) runs on the pool too, never on the caller's thread.
            using var next = parts.GetEnumerator();
            while (await Task.Run(next.MoveNext, stop.Token).ConfigureAwait(false))
            {
                var part = next.Current;
                reading.Enqueue(Task.Run(() => PrepareAsync(part, stop.Token).AsTask(), stop.Token));
                if (reading.Count >= parallelism)
                {
                    await KeepAsync(await reading.Dequeue().ConfigureAwait(false), stop.Token).ConfigureAwait(false);
                }
            }

            while (reading.Count > 0)
            {
                await KeepAsync(await reading.Dequeue().ConfigureAwait(false), stop.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            // The first failure in part order is the one thrown; the reads after it are stopped and waited for,
            // so nothing reads the file once the writer is closed.
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var later in reading)
            {
                await ((Task)later).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _ = later.Exception; // observed: a second refused part is not an unobserved task exception
            }

            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Reads, checks and encodes a part; touches nothing of the writer's, so parts may be prepared at once.
    private async ValueTask<PreparedPart> PrepareAsync(IDataSource part, CancellationToken cancellationToken)
    {
        var snapshot = await part.LoadAsync(new RetrainingContext(Dataset, $"ingest-{Guid.NewGuid():N}", _store.TimeProvider), cancellationToken).ConfigureAwait(false);
        var validation = _checkWith is null ? null : await _checkWith.ValidateBatchAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var issues = validation?.Reports.SelectMany(r => r.Issues).ToArray() ?? [.. snapshot.ReadIssues];
        var errors = issues.Where(i => i.Severity == ValidationSeverity.Error).ToArray();
        if (errors.Length > 0)
        {
            throw new DatasetBatchRefusedException($"The batch for '{Dataset}' from '{snapshot.Name}' was refused, nothing stored: {string.Join(" ", errors.Take(5).Select(e => e.Message))}{(errors.Length > 5 ? $" (and {errors.Length - 5} more)" : string.Empty)}") { Issues = errors };
        }

        var kept = validation?.Data ?? snapshot;
        var warnings = issues.Where(i => i.Severity == ValidationSeverity.Warning).ToArray();
        return new PreparedPart(snapshot.Name, kept, snapshot.RowCount, validation?.Quarantined ?? 0, warnings, BatchCodec.Encode(kept));
    }

    // Keeps a prepared part, in the order parts were added: its schema must be the first part's.
    private async ValueTask KeepAsync(PreparedPart part, CancellationToken cancellationToken)
    {
        var kept = part.Kept;
        if (_first is not null && DatasetStore.SchemaHash(kept.Schema) != DatasetStore.SchemaHash(_first.Schema))
        {
            throw new DatasetBatchRefusedException($"Part {Parts + 1} of the batch for '{Dataset}' ('{part.Name}') has other columns than its first part ({kept.Schema} against {_first.Schema}); nothing was stored.");
        }

        _first ??= kept;
        RowsRead += part.RowsRead;
        Rows += kept.RowCount;
        Quarantined += part.Quarantined;
        _warnings.AddRange(part.Warnings);
        _fingerprints.Add(kept.Fingerprint);
        await SpoolAsync(part.Encoded, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores the batch: its parts, then its index row. With an idempotency key already used, returns the batch stored under it when the rows are the same.</summary>
    /// <param name="source">How the batch's source is recorded; the first part's location when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels before the index row is written; nothing is then stored but unreferenced bytes.</param>
    /// <returns>The stored batch.</returns>
    /// <exception cref="DatasetBatchRefusedException">No rows were added, all were quarantined, or the key was used for other rows.</exception>
    /// <exception cref="InvalidOperationException">The writer was committed, refused or disposed.</exception>
    public async ValueTask<DatasetBatch> CommitAsync(string? source = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        try
        {
            var name = _first?.Name ?? Dataset;
            if (RowsRead == 0)
            {
                throw new DatasetBatchRefusedException($"The batch for '{Dataset}' from '{name}' has no rows; nothing was stored.");
            }

            if (Rows == 0)
            {
                throw new DatasetBatchRefusedException($"All {RowsRead} rows of the batch for '{Dataset}' from '{name}' were quarantined; nothing was stored.") { Issues = _warnings };
            }

            var batch = new PendingBatch(Dataset, SentBy, _idempotencyKey, source ?? _first!.Location ?? name, Rows, Fingerprint(), DatasetStore.SchemaHash(_first!.Schema), [.. _warnings], Quarantined);
            return await _store.CommitAsync(batch, ReadPartsAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the temporary file of the encoded parts; a batch not committed is gone.</summary>
    /// <returns>A task that completes when the file is deleted.</returns>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        _firstPart = null;
        if (_spool is { } spool)
        {
            _spool = null;
            await spool.DisposeAsync().ConfigureAwait(false);
        }
    }

    // One part's fingerprint is the batch's, as for a batch stored whole; parts in order hash to one.
    private string Fingerprint()
    {
        if (_fingerprints.Count == 1)
        {
            return _fingerprints[0];
        }

        var text = "parts\n" + string.Join("\n", _fingerprints);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    // The first part stays in memory (most batches have one); from the second, parts go to a temporary file.
    private async ValueTask SpoolAsync(byte[] encoded, CancellationToken cancellationToken)
    {
        if (_fingerprints.Count == 1)
        {
            _firstPart = encoded;
            return;
        }

        if (_spool is null)
        {
            _spool = new FileStream(Path.Combine(_spoolFolder, $"mr-batch-{Guid.NewGuid():N}.parts"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await AppendAsync(_firstPart!, cancellationToken).ConfigureAwait(false);
            _firstPart = null;
        }

        await AppendAsync(encoded, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask AppendAsync(byte[] encoded, CancellationToken cancellationToken)
    {
        _spooled.Add((_spool!.Position, encoded.Length));
        await _spool.WriteAsync(encoded, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadPartsAsync()
    {
        if (_firstPart is { } only)
        {
            yield return only;
            yield break;
        }

        await _spool!.FlushAsync().ConfigureAwait(false);
        foreach (var (offset, length) in _spooled)
        {
            var bytes = new byte[length];
            _spool.Position = offset;
            await _spool.ReadExactlyAsync(bytes).ConfigureAwait(false);
            yield return bytes;
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException($"This writer of a batch for '{Dataset}' was committed, refused or disposed; begin another with {nameof(DatasetStore)}.{nameof(DatasetStore.BeginBatch)}.");
        }
    }

    private sealed record PreparedPart(string Name, DatasetSnapshot Kept, long RowsRead, long Quarantined, DataValidationIssue[] Warnings, byte[] Encoded);
}
