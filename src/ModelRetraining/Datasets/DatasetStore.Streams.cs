using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ModelRetraining;

/// <summary>Streams: rows that keep arriving, cut into batches by count and by age.</summary>
public sealed partial class DatasetStore
{
    /// <summary>
    /// Stores a stream of rows as batches: a batch is cut when it has <see cref="StreamBatchOptions.MaxRows"/>
    /// rows or is <see cref="StreamBatchOptions.MaxAge"/> old, whichever comes first, and each is stored (and
    /// checked) as <see cref="AppendAsync"/> stores one. At most <see cref="StreamBatchOptions.MaxRows"/> rows are
    /// read ahead of the batch being stored, so a slow store slows the producer instead of filling memory.
    /// When the stream ends, or the token is cancelled, the open batch is stored before the enumeration
    /// ends. For a <see cref="Channel{T}"/>, pass <c>channel.Reader.ReadAllAsync()</c>. Rows handed over
    /// are not acknowledged anywhere: for at-least-once delivery from a broker use its adapter
    /// (<c>ModelRetraining.Redis</c>), which acknowledges a message only once its batch is stored.
    /// </summary>
    /// <typeparam name="T">The row type (see <see cref="ObjectDataSource{T}"/>).</typeparam>
    /// <param name="dataset">The dataset.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="options">How batches are cut, who sends them and how they are checked.</param>
    /// <param name="cancellationToken">Stops reading; the open batch is still stored.</param>
    /// <returns>Each batch as it is stored.</returns>
    public async IAsyncEnumerable<DatasetBatch> IngestStreamAsync<T>(string dataset, IAsyncEnumerable<T> rows, StreamBatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        // Built once (its member getters are compiled), fed each batch in turn; it refuses a row type or columns before anything is read.
        var current = Array.Empty<T>();
        var source = DataSource.FromEnumerable($"stream to {dataset}", () => current, options.LabelColumn, options.TimeColumn);

        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(options.MaxRows) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = PumpAsync(rows, channel.Writer, stop.Token);
        var buffer = new List<T>();
        var time = options.TimeProvider;
        var openedAt = DateTimeOffset.MinValue;
        var ended = false;
        var pumpDone = false;
        (bool Has, T Row) held = default;
        try
        {
            while (!ended || channel.Reader.TryPeek(out _) || held.Has)
            {
                var cut = false;
                try
                {
                    if (buffer.Count == 0)
                    {
                        ended = !await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        var left = openedAt + options.MaxAge - time.GetUtcNow();
                        using var deadline = left > TimeSpan.Zero ? new CancellationTokenSource(left, time) : null;
                        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline?.Token ?? new CancellationToken(canceled: true));
                        ended = !await channel.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    cut = true; // the open batch is MaxAge old
                }
                catch (OperationCanceledException) when (!pumpDone)
                {
                    // Stopped: the producer stops too, and hands back the row it held when the channel was full.
                    ended = true;
                    await stop.CancelAsync().ConfigureAwait(false);
                    held = await pump.ConfigureAwait(false);
                    pumpDone = true;
                }
                catch (OperationCanceledException)
                {
                    ended = true;
                }

                while (buffer.Count < options.MaxRows && channel.Reader.TryRead(out var row))
                {
                    if (buffer.Count == 0)
                    {
                        openedAt = time.GetUtcNow();
                    }

                    buffer.Add(row);
                }

                if (held.Has && buffer.Count < options.MaxRows && !channel.Reader.TryPeek(out _))
                {
                    buffer.Add(held.Row); // the last row taken from the stream comes last
                    held = default;
                }

                if (buffer.Count > 0 && (cut || ended || buffer.Count >= options.MaxRows))
                {
                    current = buffer.ToArray();
                    buffer.Clear();
                    if (await StoreStreamBatchAsync(dataset, source, options).ConfigureAwait(false) is { } batch)
                    {
                        yield return batch;
                    }
                }
            }

            if (!pumpDone)
            {
                pumpDone = true;
                await stop.CancelAsync().ConfigureAwait(false);
                await pump.ConfigureAwait(false); // a failing producer fails the ingestion, after what it produced is stored
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            if (!pumpDone)
            {
                // The consumer left early (break, or a refusal it did not handle): stop the producer; nobody is left to tell of its end.
                await stop.CancelAsync().ConfigureAwait(false);
                await ((Task)pump).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    // The producer's failure faults this task, not the channel: the rows it produced first are still stored.
    private static async Task<(bool Has, T Row)> PumpAsync<T>(IAsyncEnumerable<T> rows, ChannelWriter<T> writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return (true, row); // taken from the stream but not yet handed over: not to be lost
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            writer.TryComplete();
        }

        return default;
    }

    // Not cancelled with the stream: rows already taken from it are stored, or refused, whole.
    private async Task<DatasetBatch?> StoreStreamBatchAsync(string dataset, IDataSource source, StreamBatchOptions options)
    {
        try
        {
            return await AppendAsync(dataset, source, options.SentBy, null, options.CheckWith, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DatasetBatchRefusedException refused) when (options.OnRefused is not null)
        {
            options.OnRefused(refused);
            return null;
        }
    }
}
