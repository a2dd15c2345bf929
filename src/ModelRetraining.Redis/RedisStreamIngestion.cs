using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;

namespace ModelRetraining.Redis;

/// <summary>
/// Consumes a Redis stream through a consumer group into a <see cref="DatasetStore"/>. Messages are read at
/// most <see cref="RedisStreamIngestionOptions.MaxRows"/> at a time into one open batch, cut by count or age;
/// the batch is stored, and only then are its messages acknowledged (XACK). A consumer that dies between
/// the two leaves its messages pending; restarted under the same name it reads exactly those again as one
/// batch, whose idempotency key (stream, group, first entry id) and rows match the stored one, so the store
/// returns the batch it has instead of a second copy: at-least-once delivery, effectively once in the store.
/// Another consumer takes over a dead one's messages once idle for <see cref="RedisStreamIngestionOptions.ClaimIdleAfter"/>,
/// also as one batch. A message that is not a JSON object of <typeparamref name="T"/> is put in the quarantine
/// hash under its entry id, with the reason, and acknowledged with its batch; the consumer goes on.
/// </summary>
/// <typeparam name="T">The row type (see <see cref="ObjectDataSource{T}"/>), read from each message's JSON.</typeparam>
public sealed class RedisStreamIngestion<T>
{
    private readonly IConnectionMultiplexer _redis;
    private readonly DatasetStore _store;
    private readonly string _dataset;
    private readonly RedisStreamIngestionOptions _options;

    // One source for every batch (its member getters are compiled once), fed the batch's rows and range.
    private readonly BatchSource _batch;
    private List<T> _rows = [];

    /// <summary>Creates the consumer; nothing is read until <see cref="RunAsync"/>.</summary>
    /// <param name="redis">The connection.</param>
    /// <param name="store">Where batches go.</param>
    /// <param name="dataset">The dataset.</param>
    /// <param name="options">The stream, group, consumer and batch bounds.</param>
    /// <exception cref="ArgumentException">An option or the dataset name is invalid; each problem is named.</exception>
    public RedisStreamIngestion(IConnectionMultiplexer redis, DatasetStore store, string dataset, RedisStreamIngestionOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        options.ThrowIfInvalid();
        _batch = new BatchSource(DataSource.FromEnumerable($"redis stream {options.StreamKey}", () => _rows, options.LabelColumn, options.TimeColumn)); // refuses the row type or columns now
        _redis = redis;
        _store = store;
        _dataset = dataset;
        _options = options;
    }

    /// <summary>Gets or sets what runs after a batch is stored and before its messages are acknowledged (tests put a crash here).</summary>
    internal Func<DatasetBatch, ValueTask>? AfterStoreBeforeAcknowledge { get; set; }

    /// <summary>
    /// Consumes until cancelled, yielding each batch once it is stored and acknowledged. A batch open when the
    /// token is cancelled is neither stored nor acknowledged: its messages stay pending and are read again on restart.
    /// </summary>
    /// <param name="cancellationToken">Stops the consumer.</param>
    /// <returns>The stored batches.</returns>
    public async IAsyncEnumerable<DatasetBatch> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var db = _redis.GetDatabase();
        await EnsureGroupAsync(db).ConfigureAwait(false);
        var time = _options.TimeProvider;

        // First what this consumer read and never acknowledged (it was stopped or died): one earlier batch,
        // or more if MaxRows was lowered since; each commit acknowledges, so the loop ends.
        StreamEntry[] pending;
        while ((pending = await db.StreamReadGroupAsync(_options.StreamKey, _options.Group, _options.Consumer, "0-0", _options.MaxRows).ConfigureAwait(false)).Length > 0)
        {
            if (await CommitAsync(db, pending).ConfigureAwait(false) is { } earlier)
            {
                yield return earlier;
            }
        }

        var open = new List<StreamEntry>();
        var openedAt = DateTimeOffset.MinValue;
        var nextClaim = time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (open.Count == 0 && _options.ClaimIdleAfter > TimeSpan.Zero && time.GetUtcNow() >= nextClaim)
            {
                nextClaim = time.GetUtcNow() + _options.ClaimIdleAfter / 2;
                var claimed = await ClaimDeadConsumersBatchAsync(db).ConfigureAwait(false);
                if (claimed.Length > 0 && await CommitAsync(db, claimed).ConfigureAwait(false) is { } takenOver)
                {
                    yield return takenOver;
                }
            }

            // Never read past the open batch: what is pending is then always exactly one batch.
            var read = await db.StreamReadGroupAsync(_options.StreamKey, _options.Group, _options.Consumer, StreamPosition.NewMessages, _options.MaxRows - open.Count).ConfigureAwait(false);
            if (read.Length > 0 && open.Count == 0)
            {
                openedAt = time.GetUtcNow();
            }

            open.AddRange(read);
            var full = open.Count >= _options.MaxRows;
            var old = open.Count > 0 && time.GetUtcNow() - openedAt >= _options.MaxAge;
            if (full || old)
            {
                var entries = open.ToArray();
                open.Clear();
                if (await CommitAsync(db, entries).ConfigureAwait(false) is { } batch)
                {
                    yield return batch;
                }

                continue;
            }

            if (read.Length == 0)
            {
                try
                {
                    await Task.Delay(_options.PollInterval, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
    }

    private async Task EnsureGroupAsync(IDatabase db)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(_options.StreamKey, _options.Group, "0-0", createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: its position is kept.
        }
    }

    // A consumer whose every pending message has been idle past the limit has died; its pending messages
    // are its one open batch, taken over whole so the batch is the same one it may have stored.
    private async Task<StreamEntry[]> ClaimDeadConsumersBatchAsync(IDatabase db)
    {
        var info = await db.StreamPendingAsync(_options.StreamKey, _options.Group).ConfigureAwait(false);
        foreach (var consumer in info.Consumers.Where(c => c.PendingMessageCount > 0 && c.Name != _options.Consumer))
        {
            var messages = await db.StreamPendingMessagesAsync(_options.StreamKey, _options.Group, _options.MaxRows, consumer.Name).ConfigureAwait(false);
            var idleMs = (long)_options.ClaimIdleAfter.TotalMilliseconds;
            if (messages.Length == 0 || messages.Any(m => m.IdleTimeInMilliseconds < idleMs))
            {
                continue;
            }

            var claimed = await db.StreamClaimAsync(_options.StreamKey, _options.Group, _options.Consumer, idleMs, [.. messages.Select(m => m.MessageId)]).ConfigureAwait(false);
            if (claimed.Length > 0)
            {
                return claimed;
            }
        }

        return [];
    }

    // Stores the rows of the entries as one batch, quarantines the malformed ones, then acknowledges all.
    private async Task<DatasetBatch?> CommitAsync(IDatabase db, StreamEntry[] entries)
    {
        var rows = new List<T>(entries.Length);
        var quarantine = new List<HashEntry>();
        foreach (var entry in entries)
        {
            if (Parse(entry, out var row) is { } reason)
            {
                quarantine.Add(Quarantined(entry, reason));
            }
            else
            {
                rows.Add(row!);
            }
        }

        DatasetBatch? batch = null;
        if (rows.Count > 0)
        {
            var range = $"{entries[0].Id}..{entries[^1].Id}";
            _rows = rows;
            _batch.Location = $"redis stream {_options.StreamKey} {range}";
            try
            {
                batch = await _store.AppendAsync(_dataset, _batch, _options.SenderName, _options.IdempotencyKey(entries[0].Id.ToString()), _options.CheckWith).ConfigureAwait(false);
            }
            catch (DatasetBatchRefusedException refused) when (!refused.IsIdempotencyConflict)
            {
                // Rows that fail an Error-level rule cannot be stored; they are kept in quarantine, not redelivered forever.
                var reason = $"the batch {range} was refused: {refused.Message}";
                var already = quarantine.Select(q => q.Name.ToString()).ToHashSet(StringComparer.Ordinal);
                quarantine.AddRange(entries.Where(e => !already.Contains(e.Id.ToString())).Select(e => Quarantined(e, reason)));
            }
        }

        if (quarantine.Count > 0)
        {
            await db.HashSetAsync(_options.QuarantineHash, [.. quarantine]).ConfigureAwait(false);
        }

        if (batch is not null && AfterStoreBeforeAcknowledge is { } hook)
        {
            await hook(batch).ConfigureAwait(false);
        }

        await db.StreamAcknowledgeAsync(_options.StreamKey, _options.Group, [.. entries.Select(e => e.Id)]).ConfigureAwait(false);
        return batch;
    }

    private HashEntry Quarantined(StreamEntry entry, string reason)
        => new(entry.Id.ToString(), JsonSerializer.Serialize(new { reason, stream = _options.StreamKey, data = entry[_options.Field].ToString() }));

    // The batch's location names its entry range, which is what the index records as its source.
    private sealed class BatchSource(IDataSource rows) : DelegatingDataSource(rows)
    {
        public string Location { get; set; } = string.Empty;

        public override async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
            => (await base.LoadAsync(context, cancellationToken).ConfigureAwait(false)) with { Location = Location };
    }

    private string? Parse(StreamEntry entry, out T? row)
    {
        row = default;
        var value = entry[_options.Field];
        if (value.IsNull)
        {
            return $"entry {entry.Id} has no field '{_options.Field}'";
        }

        try
        {
            row = JsonSerializer.Deserialize<T>(value.ToString(), _options.Json);
            return row is null ? $"entry {entry.Id}: the row is JSON null" : null;
        }
        catch (JsonException ex)
        {
            return $"entry {entry.Id}: not a JSON {typeof(T).Name} ({ex.Message})";
        }
    }
}
