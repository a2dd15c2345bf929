using System.Globalization;
using Npgsql;

namespace ModelRetraining.PostgreSql;

// Alias moves from every node. A move made here is raised after its commit, as the embedded registry does.
// Moves made by other nodes arrive by LISTEN/NOTIFY on a connection of their own (not pooled: a pooled
// connection is reset when returned, which would drop the LISTEN). A notification can be lost with its
// connection, so on every (re)connect and after every quiet poll interval the listener re-reads the latest
// move of every alias and raises those it has not seen: notifications make it fast, the re-read makes it sure.
internal sealed partial class PostgreSqlModelRegistry
{
    private readonly Lock _listening = new();
    private readonly Lock _seen = new();
    private DateTimeOffset _subscribedAt;
    private int _disposed;
    private readonly Dictionary<(string Model, string Alias), long> _latestSeen = [];
    private readonly TaskCompletionSource _listeningStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EventHandler<AliasMovedEventArgs>? _aliasMoved;
    private CancellationTokenSource? _stopListening;
    private Task? _listener;
    private NpgsqlDataSource? _listenDataSource;

    public event EventHandler<AliasMovedEventArgs>? AliasMoved
    {
        add
        {
            lock (_listening)
            {
                _aliasMoved += value;
                if (_options.ListenForAliasMoves && _listener is null && value is not null && Volatile.Read(ref _disposed) == 0)
                {
                    _subscribedAt = _timeProvider.GetUtcNow();
                    _stopListening = new CancellationTokenSource();
                    _listener = Task.Run(() => ListenAsync(_stopListening.Token));
                }
            }
        }

        remove
        {
            lock (_listening)
            {
                _aliasMoved -= value;
            }
        }
    }

    /// <summary>Gets a task that completes once the listener has subscribed and read every alias's latest move (tests wait on it).</summary>
    internal Task ListeningStarted => _listeningStarted.Task;

    // A move committed here: remembered (so its notification is not raised again) and raised at once.
    private AliasHistoryEntry Moved(AliasHistoryEntry entry)
    {
        RaiseIfNew(entry);
        return entry;
    }

    // The check and the raise are one step under one lock, so listeners see each alias's moves in order,
    // whether a move was made here or heard from another node (the lock is re-entrant for a listener that
    // moves an alias itself).
    private void RaiseIfNew(AliasHistoryEntry entry)
    {
        lock (_seen)
        {
            if (_latestSeen.TryGetValue((entry.ModelName, entry.Alias), out var seen) && seen >= entry.Sequence)
            {
                return;
            }

            _latestSeen[(entry.ModelName, entry.Alias)] = entry.Sequence;
            AliasMoveListeners.Raise(this, _aliasMoved, entry, ex => Log.AliasListenerFailed(_logger, ex, entry.ModelName, entry.Alias, entry.ToVersion is { } v ? "v" + v.ToString(CultureInfo.InvariantCulture) : "none"));
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
                _listenDataSource ??= NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, KeepAlive = 15 });
                var connection = await _listenDataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                var arrived = new List<string>();
                connection.Notification += (_, e) => arrived.Add(e.Payload);
                var listen = new NpgsqlCommand($"LISTEN {PostgreSqlSchema.Quote(PostgreSqlSchema.AliasChannel(_schema))}", connection);
                await using (listen.ConfigureAwait(false))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                // The first read learns where every alias stands and raises only moves made since shortly before
                // the first subscription (that window would otherwise be lost between subscribing and LISTEN;
                // the margin covers clock skew between nodes, and a move raised twice is harmless to a
                // listener that re-reads the alias); later reads raise whatever was missed.
                await CatchUpAsync(raise: !first, cancellationToken).ConfigureAwait(false);
                first = false;
                _listeningStarted.TrySetResult();
                while (!cancellationToken.IsCancellationRequested)
                {
                    if (await connection.WaitAsync(_options.AliasPollInterval, cancellationToken).ConfigureAwait(false))
                    {
                        var payloads = arrived.ToArray();
                        arrived.Clear();
                        await RaiseNotifiedAsync(payloads, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await CatchUpAsync(raise: true, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the listener outlives any failure: it logs, waits and reconnects
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.AliasListenerLost(_logger, ex, _describe, _options.AliasPollInterval.TotalSeconds);
                try
                {
                    await Task.Delay(_options.AliasPollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RaiseNotifiedAsync(string[] payloads, CancellationToken cancellationToken)
    {
        var sequences = new List<long>();
        foreach (var payload in payloads)
        {
            var colon = payload.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !payload.AsSpan(0, colon).SequenceEqual(NodeId) && long.TryParse(payload.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                sequences.Add(sequence);
            }
        }

        if (sequences.Count == 0)
        {
            return;
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        await using var connectionScope = connection.ConfigureAwait(false);
        foreach (var entry in await ReadHistoryAsync(connection, "seq = ANY(@s)", cancellationToken, ("s", sequences.ToArray())).ConfigureAwait(false))
        {
            RaiseIfNew(entry);
        }
    }

    private async Task CatchUpAsync(bool raise, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var latest = await ReadHistoryAsync(connection, "seq IN (SELECT MAX(seq) FROM alias_history GROUP BY model, alias)", cancellationToken).ConfigureAwait(false);
        foreach (var entry in latest)
        {
            if (raise || entry.At >= _subscribedAt - StartMargin)
            {
                RaiseIfNew(entry);
            }
            else
            {
                lock (_seen)
                {
                    if (!_latestSeen.TryGetValue((entry.ModelName, entry.Alias), out var seen) || seen < entry.Sequence)
                    {
                        _latestSeen[(entry.ModelName, entry.Alias)] = entry.Sequence;
                    }
                }
            }
        }
    }

    private static readonly TimeSpan StartMargin = TimeSpan.FromSeconds(5);

    // Once only: the container disposes the one registry under each of the services it was registered as.
    private bool MarkDisposed() => Interlocked.Exchange(ref _disposed, 1) == 0;

    private async ValueTask StopListeningAsync()
    {
        Task? listener;
        lock (_listening)
        {
            listener = _listener;
            _stopListening?.Cancel();
        }

        if (listener is not null)
        {
            await listener.ConfigureAwait(false);
        }

        _stopListening?.Dispose();
        if (_listenDataSource is not null)
        {
            await _listenDataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}
