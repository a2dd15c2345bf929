using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

/// <summary>
/// Where arriving data lives: each dataset is a sequence of immutable, fingerprinted batches, their rows in
/// the artifact store (content-addressed) and their index in a SQLite database. A batch is stored whole or
/// not at all: a source with Error-level issues, an empty one, or an idempotency key already used for other
/// rows is refused with nothing written; the same rows sent again under the same key return the stored
/// batch. A window of batches (<see cref="Window"/>) reads as one <see cref="IDataSource"/> for training or
/// holdout, and its location lists the batches, so a run's lineage names exactly what it read.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The SemaphoreSlim's wait handle is never asked for, so it holds nothing to dispose; a store lives as long as its host.")]
public sealed partial class DatasetStore : IArtifactReferenceSource
{
    private const int SchemaVersion = 2;
    private readonly string _connectionString;
    private readonly IArtifactStore _artifacts;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();

    // Serializes, within this process, an append's put-then-insert with a prune's delete-then-sweep: an append
    // that found its bytes already stored must not see them swept before its index row lands.
    private readonly SemaphoreSlim _contentGate = new(1, 1);
    private Task? _initialization;

    private DatasetStore(string database, IArtifactStore artifacts, TimeProvider timeProvider)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 30, Pooling = true }.ToString();
        _artifacts = artifacts;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// A store in a folder: the index in <c>datasets.db</c>, the rows in <c>artifacts/</c> (content-addressed,
    /// so the folder of an embedded registry can be shared: equal bytes are stored once).
    /// </summary>
    /// <param name="folder">The folder; created when missing.</param>
    /// <param name="timeProvider">The clock batches are stamped with; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="artifacts">Where the rows go; the folder's <c>artifacts/</c> when <see langword="null"/>.</param>
    /// <returns>The store.</returns>
    public static DatasetStore Embedded(string folder, TimeProvider? timeProvider = null, IArtifactStore? artifacts = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var root = Path.GetFullPath(folder);
        Directory.CreateDirectory(root);
        var time = timeProvider ?? TimeProvider.System;
        return new DatasetStore(Path.Combine(root, "datasets.db"), artifacts ?? new LocalArtifactStore(Path.Combine(root, "artifacts"), time), time);
    }

    /// <summary>Reads a source and stores its rows as the dataset's next batch.</summary>
    /// <param name="dataset">The dataset (a registry name: letters, digits, <c>.</c>, <c>-</c>, <c>_</c>).</param>
    /// <param name="source">The rows (a CSV file, objects, a query, Parquet, …).</param>
    /// <param name="sentBy">Who sent them (an identity, checked as approvers' are).</param>
    /// <param name="idempotencyKey">A key the sender chose; the same key with the same rows returns the stored batch, with other rows it is refused.</param>
    /// <param name="checkWith">A pipeline whose validators (schema, quality with quarantine, drift against its champion, with their alerts) check the batch before it is stored; none when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read; nothing is stored.</param>
    /// <returns>The stored batch (or the one stored before under the same key).</returns>
    /// <exception cref="DatasetBatchRefusedException">The source or a validator reported Error-level issues (each is in <see cref="DatasetBatchRefusedException.Issues"/>), it had no rows (or all were quarantined), or the key was used for other rows.</exception>
    public async ValueTask<DatasetBatch> AppendAsync(string dataset, IDataSource source, string sentBy, string? idempotencyKey = null, RetrainingPipeline? checkWith = null, CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        ArgumentNullException.ThrowIfNull(source);
        SafeText.ThrowIfInvalidIdentity(sentBy, "sender", nameof(sentBy));
        if (idempotencyKey is not null)
        {
            SafeText.ThrowIfInvalidIdentity(idempotencyKey, "idempotency key", nameof(idempotencyKey));
        }

        var writer = BeginBatch(dataset, sentBy, idempotencyKey, checkWith);
        await using (writer.ConfigureAwait(false))
        {
            if (FilePartBytes is { } partBytes && source is CsvDataSource csv && csv.InParts(partBytes) is { } parts)
            {
                await writer.AddPartsAsync(parts, ReadParallelism, cancellationToken).ConfigureAwait(false);
                return await writer.CommitAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await writer.AddPartAsync(source, cancellationToken).ConfigureAwait(false);
            return await writer.CommitAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gets or sets the size of the parts a large CSV file is read in by <see cref="AppendAsync"/>, or
    /// <see langword="null"/> to read every file whole. When set, a plain file (not compressed, no time window)
    /// of at least two parts is cut at record ends into parts of about this size, read
    /// <see cref="ReadParallelism"/> at a time and stored as one batch in parts (as a large upload is): memory
    /// holds a few parts, never the file, and the reads use every core. Its issues name rows and lines as in
    /// the whole file, and the batch's fingerprint is that of its parts in order. It is not the default
    /// because every check then judges a part, not the file: a rule on the batch's size or its change from
    /// the champion's, uniqueness across the file, a <c>mostly</c> share and the malformed-row tolerance may
    /// decide otherwise than on the whole file.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (files are read whole); at least 64 KiB when set (8 MiB reads at about 230,000 flights rows a part).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is under 64 KiB.</exception>
    public long? FilePartBytes
    {
        get;
        set
        {
            if (value is { } bytes)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1L << 16, nameof(FilePartBytes));
            }

            field = value;
        }
    }

    /// <summary>Gets or sets how many parts of a large CSV file <see cref="AppendAsync"/> reads at once (see <see cref="FilePartBytes"/>).</summary>
    /// <value>The default value is the machine's processor count; 1 reads the parts one by one (memory still holds one part, not the file).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is under 1.</exception>
    public int ReadParallelism
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(ReadParallelism));
            field = value;
        }
    } = Environment.ProcessorCount;

    /// <summary>
    /// Begins a batch stored in parts, for one too large to hold in memory whole (the upload endpoint cuts a
    /// large body into parts this way): add each part with <see cref="DatasetBatchWriter.AddPartAsync"/>,
    /// then <see cref="DatasetBatchWriter.CommitAsync"/>. Each part is checked on its own; the batch is
    /// stored whole or not at all, and reads back as one, its parts in order.
    /// </summary>
    /// <param name="dataset">The dataset (a registry name).</param>
    /// <param name="sentBy">Who sends it.</param>
    /// <param name="idempotencyKey">A key the sender chose (see <see cref="AppendAsync"/>).</param>
    /// <param name="checkWith">A pipeline whose validators check each part; none when <see langword="null"/>.</param>
    /// <param name="spoolFolder">Where the encoded parts wait for the commit (a temporary file, deleted when the writer is disposed); the system's temp folder when <see langword="null"/>.</param>
    /// <returns>The writer; dispose it (a batch not committed leaves nothing behind).</returns>
    public DatasetBatchWriter BeginBatch(string dataset, string sentBy, string? idempotencyKey = null, RetrainingPipeline? checkWith = null, string? spoolFolder = null)
    {
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        SafeText.ThrowIfInvalidIdentity(sentBy, "sender", nameof(sentBy));
        if (idempotencyKey is not null)
        {
            SafeText.ThrowIfInvalidIdentity(idempotencyKey, "idempotency key", nameof(idempotencyKey));
        }

        return new DatasetBatchWriter(this, dataset, sentBy, idempotencyKey, checkWith, spoolFolder ?? Path.GetTempPath());
    }

    internal TimeProvider TimeProvider => _timeProvider;

    // The rows go first: a crash after them leaves unreferenced blobs, never an index row without rows.
    internal async ValueTask<DatasetBatch> CommitAsync(PendingBatch batch, Func<IAsyncEnumerable<ReadOnlyMemory<byte>>> parts, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        if (batch.IdempotencyKey is { } key && await FindByKeyAsync(batch.Dataset, key, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return SameRows(earlier, batch, key);
        }

        await _contentGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var contents = new List<ArtifactReference>();
            await foreach (var part in parts().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                contents.Add(await _artifacts.PutAsync(part, cancellationToken).ConfigureAwait(false));
            }

            return await InsertAsync(batch, contents, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19 && batch.IdempotencyKey is not null)
        {
            // Two senders raced with one key: the other stored first.
            return SameRows((await FindByKeyAsync(batch.Dataset, batch.IdempotencyKey, cancellationToken).ConfigureAwait(false))!, batch, batch.IdempotencyKey);
        }
        finally
        {
            _contentGate.Release();
        }
    }

    /// <summary>Lists a dataset's batches in arrival order.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The batches.</returns>
    public async IAsyncEnumerable<DatasetBatch> ListBatchesAsync(string dataset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        foreach (var batch in await QueryAsync("SELECT * FROM batches WHERE dataset = $d ORDER BY sequence", cancellationToken, ("$d", dataset)).ConfigureAwait(false))
        {
            yield return batch;
        }
    }

    /// <summary>The batches of a dataset received in [<paramref name="receivedFrom"/>, <paramref name="receivedTo"/>), read as one data source (in arrival order).</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="receivedFrom">The first arrival time kept, or <see langword="null"/> for the first batch.</param>
    /// <param name="receivedTo">The first arrival time no longer kept, or <see langword="null"/> for the latest batch.</param>
    /// <param name="labelColumn">The label column, if any.</param>
    /// <param name="timeColumn">The time column, if any.</param>
    /// <returns>The source; it reads the index when a run loads it.</returns>
    public IDataSource Window(string dataset, DateTimeOffset? receivedFrom = null, DateTimeOffset? receivedTo = null, string? labelColumn = null, string? timeColumn = null)
    {
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        return new BatchWindowSource(this, dataset, receivedFrom, receivedTo, labelColumn, timeColumn);
    }

    internal async Task<IReadOnlyList<DatasetBatch>> BatchesAsync(string dataset, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(
            "SELECT * FROM batches WHERE dataset = $d AND received_at >= $from AND received_at < $to ORDER BY sequence",
            cancellationToken,
            ("$d", dataset),
            ("$from", from?.UtcTicks ?? long.MinValue),
            ("$to", to?.UtcTicks ?? long.MaxValue)).ConfigureAwait(false);
    }

    internal ValueTask<ReadOnlyMemory<byte>> ReadContentAsync(ArtifactReference part, CancellationToken cancellationToken) => _artifacts.GetAsync(part, cancellationToken);

    internal static string SchemaHash(DataSchema schema)
    {
        var text = string.Join(";", schema.Columns.Select(c => $"{c.Name}:{c.Kind}")) + $"|label={schema.LabelColumn}|time={schema.TimeColumn}";
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static DatasetBatch SameRows(DatasetBatch earlier, PendingBatch batch, string key)
        => earlier.Fingerprint == batch.Fingerprint
            ? earlier
            : throw new DatasetBatchRefusedException($"The idempotency key '{SafeText.Escape(key)}' of '{earlier.Dataset}' was used for batch {earlier.Id} with other rows ({earlier.Rows} rows, {earlier.Fingerprint}; these: {batch.Rows} rows, {batch.Fingerprint}); nothing was stored.") { IsIdempotencyConflict = true };
}
