using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace ModelRetraining.Redis.Tests;

/// <summary>The Redis consumer as a hosted service, on a real redis-server and a real dataset store: batches stored and logged, a failure restarts it with nothing lost or doubled, bad options fail the host's start.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStreamIngestionServiceTests(RedisServerFixture redis) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-redis-host", Guid.NewGuid().ToString("N"));
    private readonly string _stream = $"clicks:{Guid.NewGuid():N}";
    private readonly FakeLogCollector _logs = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private IDatabase Db => redis.Connection.GetDatabase();

    private void Configure(RedisStreamIngestionOptions options)
    {
        options.StreamKey = _stream;
        options.Consumer = "host-worker";
        options.MaxRows = 10;
        options.MaxAge = TimeSpan.FromMilliseconds(200);
        options.PollInterval = TimeSpan.FromMilliseconds(20);
        options.ClaimIdleAfter = TimeSpan.Zero;
        options.RestartDelay = TimeSpan.FromMilliseconds(50);
        options.LabelColumn = "Label";
    }

    private async Task SendAsync(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await Db.StreamAddAsync(_stream, "row", JsonSerializer.Serialize(new { x = i, label = i % 2 == 0 }));
        }
    }

    // Polls with a bound: the service works on its own thread.
    private static async Task<List<DatasetBatch>> BatchesAsync(DatasetStore store, long rows)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var batches = await store.ListBatchesAsync("clicks").ToListAsync();
            if (batches.Sum(b => b.Rows) >= rows || DateTime.UtcNow > until)
            {
                return batches;
            }

            await Task.Delay(25);
        }
    }

    private static async Task AssertStoredExactlyAsync(DatasetStore store, int count)
    {
        var context = new RetrainingContext("clicks", "check", TimeProvider.System);
        var stored = await store.Window("clicks", labelColumn: "Label").LoadAsync(context);
        var expected = await DataSource.FromEnumerable("sent", () => Enumerable.Range(0, count).Select(i => new RedisStreamIngestionTests.Click { X = i, Label = i % 2 == 0 }), labelColumn: "Label").LoadAsync(context);
        Assert.Equal(count, stored.RowCount);
        Assert.Equal(expected.Fingerprint, stored.Fingerprint);
    }

    [Fact]
    public async Task AConsumerThatFailsAfterStoring_IsStartedAgain_ReadsItsUnacknowledgedBatch_AndNothingIsLostOrDoubled()
    {
        var store = DatasetStore.Embedded(_folder);
        var options = new RedisStreamIngestionOptions();
        Configure(options);
        var created = 0;
        var logger = new FakeLogger(_logs);
        var service = new RedisStreamIngestionService<RedisStreamIngestionTests.Click>(
            () => new RedisStreamIngestion<RedisStreamIngestionTests.Click>(redis.Connection, store, "clicks", options)
            {
                // The first consumer dies between storing clicks#2 and acknowledging it, as a crashed process would.
                AfterStoreBeforeAcknowledge = ++created == 1 ? batch => batch.Sequence == 2 ? throw new IOException("connection reset while acknowledging") : ValueTask.CompletedTask : null,
            },
            "clicks",
            options,
            logger);

        await SendAsync(0, 30);
        await service.StartAsync(CancellationToken.None);
        var batches = await BatchesAsync(store, 30);
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(2, service.Starts);
        Assert.Equal(["clicks#1", "clicks#2", "clicks#3"], batches.Select(b => b.Id));
        Assert.Equal(0, (await Db.StreamPendingAsync(_stream, "model-retraining")).PendingMessageCount);
        await AssertStoredExactlyAsync(store, 30);
        var logs = _logs.GetSnapshot();
        var failure = Assert.Single(logs, l => l.Id.Id == 91);
        Assert.Contains("failed (1 in a row); it starts again in 00:00:00.0500000", failure.Message, StringComparison.Ordinal);
        Assert.Contains(logs, l => l.Id.Id == 90 && l.Message.Contains("clicks#3 (10 rows, 0 quarantined)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InARealHost_MessagesAreStoredAndLogged_UntilTheHostStops()
    {
        var store = DatasetStore.Embedded(_folder);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(new FakeLoggerProvider(_logs));
        builder.Services.AddModelRetraining()
            .AddRedisStreamIngestion<RedisStreamIngestionTests.Click>("clicks", _ => redis.Connection, _ => store, (_, o) => Configure(o));
        using var host = builder.Build();
        await host.StartAsync();

        await SendAsync(0, 15);
        var batches = await BatchesAsync(store, 15);
        await host.StopAsync();

        Assert.Equal([10L, 5L], batches.Select(b => b.Rows));
        await AssertStoredExactlyAsync(store, 15);
        var logs = _logs.GetSnapshot();
        Assert.Equal(2, logs.Count(l => l.Id.Id == 90));
        Assert.DoesNotContain(logs, l => l.Id.Id == 91);
    }

    [Fact]
    public async Task BadOptions_FailTheHostsStart_NamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddModelRetraining()
            .AddRedisStreamIngestion<RedisStreamIngestionTests.Click>("clicks", _ => redis.Connection, _ => DatasetStore.Embedded(_folder), (_, o) =>
            {
                Configure(o);
                o.RestartDelay = TimeSpan.Zero;
            });
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => host.StartAsync());
        Assert.Contains("RestartDelay must be positive", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddModelRetraining().AddRedisStreamIngestion<RedisStreamIngestionTests.Click>("bad name!", _ => redis.Connection, _ => DatasetStore.Embedded(_folder), (_, o) => Configure(o)));
    }
}
