using Microsoft.ML;
using Microsoft.ML.Data;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

using ModelRetraining.Tests.Data;

namespace ModelRetraining.Tests.Datasets;

/// <summary>Streams into the dataset store on a real folder: batches cut by count and by age, back-pressure, and what a stop, a failing producer or a refused batch leaves.</summary>
public sealed class StreamIngestionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-streams", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private DatasetStore Store() => DatasetStore.Embedded(_folder, _time);

    private StreamBatchOptions Options(int maxRows = 10) => new() { SentBy = "feed", MaxRows = maxRows, MaxAge = TimeSpan.FromMinutes(1), TimeProvider = _time, LabelColumn = "Label" };

    private static async IAsyncEnumerable<TestData.Row?> Rows(int count, Action<int>? produced = null, Exception? thenFail = null)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            produced?.Invoke(i + 1);
            yield return new TestData.Row { X = i, Label = i % 2 == 0 };
        }

        if (thenFail is not null)
        {
            throw thenFail;
        }
    }

    private static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    [Fact]
    public async Task AStream_IsCutIntoBatchesByCount_AndTheLastOneWhenItEnds_WithEveryRowOnce()
    {
        var store = Store();
        var batches = await AllAsync(store.IngestStreamAsync("clicks", Rows(25), Options()));

        Assert.Equal([10L, 10L, 5L], batches.Select(b => b.Rows));
        Assert.Equal(["clicks#1", "clicks#2", "clicks#3"], batches.Select(b => b.Id));
        var all = await store.Window("clicks", labelColumn: "Label").LoadAsync(Csv.Context);
        var expected = await DataSource.FromEnumerable("x", () => Enumerable.Range(0, 25).Select(i => new TestData.Row { X = i, Label = i % 2 == 0 }), labelColumn: "Label").LoadAsync(Csv.Context);
        Assert.Equal(expected.Fingerprint, all.Fingerprint);
    }

    [Fact]
    public async Task ABatchIsCutWhenItIsMaxAgeOld_WhileTheStreamStaysOpen()
    {
        var store = Store();
        var channel = Channel.CreateUnbounded<TestData.Row>();
        await using var batches = store.IngestStreamAsync("clicks", channel.Reader.ReadAllAsync(), Options(maxRows: 1000)).GetAsyncEnumerator();
        for (var i = 0; i < 3; i++)
        {
            await channel.Writer.WriteAsync(new TestData.Row { X = i });
        }

        var next = batches.MoveNextAsync().AsTask();
        for (var tries = 0; !next.IsCompleted && tries < 600; tries++)
        {
            await Task.Delay(20);
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, batches.Current.Rows);
        channel.Writer.Complete();
        Assert.False(await batches.MoveNextAsync());
    }

    [Fact]
    public async Task AProducerFasterThanTheStore_IsHeldBack_AtMostOneBatchAhead()
    {
        var store = Store();
        var produced = 0;
        await using var batches = store.IngestStreamAsync("clicks", Rows(1_000_000, n => Volatile.Write(ref produced, n)), Options(maxRows: 10)).GetAsyncEnumerator();
        Assert.True(await batches.MoveNextAsync());

        // The consumer holds the first batch and asks for no more: the producer stops once the read-ahead is full.
        var seen = -1;
        for (var tries = 0; tries < 100 && seen != Volatile.Read(ref produced); tries++)
        {
            seen = Volatile.Read(ref produced);
            await Task.Delay(50);
        }

        Assert.InRange(Volatile.Read(ref produced), 10, 10 + 10 + 1);
    }

    [Fact]
    public async Task Cancelling_StoresTheOpenBatch_ThenEndsWithTheCancellation()
    {
        var store = Store();
        using var stop = new CancellationTokenSource();
        var allHandedOver = new TaskCompletionSource();
        async IAsyncEnumerable<TestData.Row> FourThenSilence([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < 4; i++)
            {
                yield return new TestData.Row { X = i };
            }

            allHandedOver.SetResult(); // the fourth row was taken: the producer now waits for more
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var stored = new List<DatasetBatch>();
        var run = Task.Run(async () =>
        {
            await foreach (var batch in store.IngestStreamAsync("clicks", FourThenSilence(), Options(maxRows: 1000), stop.Token))
            {
                stored.Add(batch);
            }
        });
        await allHandedOver.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(4, Assert.Single(stored).Rows);
    }

    [Fact]
    public async Task CancellingUnderBackPressure_StoresEveryRowTakenFromTheStream_AndStopsTheProducer()
    {
        var store = Store();
        var produced = 0;
        async IAsyncEnumerable<TestData.Row> Endless([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; ; i++)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                Interlocked.Increment(ref produced);
                yield return new TestData.Row { X = i };
            }
        }

        using var stop = new CancellationTokenSource();
        var stored = new List<DatasetBatch>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var batch in store.IngestStreamAsync("clicks", Endless(), Options(maxRows: 10), stop.Token))
            {
                stored.Add(batch);
                if (stored.Count == 1)
                {
                    // Let the producer fill the read-ahead and block holding one more row, then stop.
                    for (var tries = 0; tries < 200 && Volatile.Read(ref produced) < 21; tries++)
                    {
                        await Task.Delay(10);
                    }

                    await stop.CancelAsync();
                }
            }
        });

        Assert.Equal(Volatile.Read(ref produced), stored.Sum(b => b.Rows));
        var all = await store.Window("clicks").LoadAsync(Csv.Context);
        Assert.Equal(Enumerable.Range(0, (int)all.RowCount).Select(i => (float)i), all.Data.GetColumn<float>("X"));
    }

    [Fact]
    public async Task LeavingEarly_StopsTheProducer()
    {
        var store = Store();
        var stopped = new TaskCompletionSource();
        async IAsyncEnumerable<TestData.Row> Endless([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    await Task.Delay(1, cancellationToken);
                    yield return new TestData.Row { X = i };
                }
            }
            finally
            {
                stopped.TrySetResult();
            }
        }

        await foreach (var batch in store.IngestStreamAsync("clicks", Endless(), Options(maxRows: 5)))
        {
            break;
        }

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AFailingProducer_FailsTheIngestion_AfterWhatItProducedIsStored()
    {
        var store = Store();
        var stored = new List<DatasetBatch>();
        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var batch in store.IngestStreamAsync("clicks", Rows(15, thenFail: new IOException("feed lost")), Options()))
            {
                stored.Add(batch);
            }
        });

        Assert.Equal("feed lost", error.Message);
        Assert.Equal([10L, 5L], stored.Select(b => b.Rows));
    }

    [Fact]
    public async Task ARefusedBatch_IsReported_AndTheStreamGoesOn_WhenTheHostAsks()
    {
        async IAsyncEnumerable<TestData.Row?> WithANullInTheSecondBatch()
        {
            await foreach (var row in Rows(30))
            {
                yield return row!.X == 15 ? null : row;
            }
        }

        var refusals = new List<DatasetBatchRefusedException>();
        var options = Options();
        options.OnRefused = refusals.Add;
        var batches = await AllAsync(Store().IngestStreamAsync("clicks", WithANullInTheSecondBatch(), options));

        Assert.Equal(["clicks#1", "clicks#2"], batches.Select(b => b.Id));
        Assert.Contains(Assert.Single(refusals).Issues, i => i.Rule == "objects.null-row" && i.Row == 6);

        var unhandled = await Assert.ThrowsAsync<DatasetBatchRefusedException>(async () => await AllAsync(Store().IngestStreamAsync("other", WithANullInTheSecondBatch(), Options())));
        Assert.Contains("null rows", unhandled.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 10, "sender")]
    [InlineData("feed", 0, "MaxRows must be at least 1")]
    public async Task InvalidOptions_AreRefusedBeforeARowIsRead(string sentBy, int maxRows, string expected)
    {
        var produced = 0;
        var options = Options(maxRows);
        options.SentBy = sentBy;
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await AllAsync(Store().IngestStreamAsync("clicks", Rows(5, n => produced = n), options)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, produced);
    }
}
