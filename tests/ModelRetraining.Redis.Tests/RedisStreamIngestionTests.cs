using System.Text.Json;
using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace ModelRetraining.Redis.Tests;

/// <summary>A real redis-server and a real dataset store: batches by count and age, a consumer killed between storing and acknowledging, a dead consumer taken over, malformed messages quarantined.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStreamIngestionTests(RedisServerFixture redis) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-redis", Guid.NewGuid().ToString("N"));
    private readonly string _stream = $"clicks:{Guid.NewGuid():N}";

    public sealed class Click
    {
        public float X { get; set; }

        public bool Label { get; set; }
    }

    private sealed class Crash(string message) : Exception(message);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private IDatabase Db => redis.Connection.GetDatabase();

    private DatasetStore Store() => DatasetStore.Embedded(_folder);

    private RedisStreamIngestionOptions Options(string consumer = "worker-1", int maxRows = 10) => new()
    {
        StreamKey = _stream,
        Consumer = consumer,
        MaxRows = maxRows,
        MaxAge = TimeSpan.FromMinutes(10),
        PollInterval = TimeSpan.FromMilliseconds(20),
        ClaimIdleAfter = TimeSpan.Zero,
        LabelColumn = "Label",
    };

    private async Task SendAsync(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await Db.StreamAddAsync(_stream, "row", JsonSerializer.Serialize(new { x = i, label = i % 2 == 0 }));
        }
    }

    private static async Task<List<DatasetBatch>> TakeAsync(RedisStreamIngestion<Click> consumer, int batches)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var taken = new List<DatasetBatch>();
        await foreach (var batch in consumer.RunAsync(timeout.Token))
        {
            taken.Add(batch);
            if (taken.Count == batches)
            {
                break;
            }
        }

        Assert.Equal(batches, taken.Count);
        return taken;
    }

    private static readonly RetrainingContext Context = new("clicks", "check", TimeProvider.System);

    // Every stored row, in order, against rows 0..count-1 sent once each: a lost or doubled row changes the fingerprint.
    private static async Task AssertStoredExactlyAsync(DatasetStore store, int count)
    {
        var stored = await store.Window("clicks", labelColumn: "Label").LoadAsync(Context);
        var expected = await DataSource.FromEnumerable("sent", () => Enumerable.Range(0, count).Select(i => new Click { X = i, Label = i % 2 == 0 }), labelColumn: "Label").LoadAsync(Context);
        Assert.Equal(count, stored.RowCount);
        Assert.Equal(expected.Fingerprint, stored.Fingerprint);
    }

    private async Task<long> PendingAsync() => (await Db.StreamPendingAsync(_stream, "model-retraining")).PendingMessageCount;

    [Fact]
    public async Task Messages_AreStoredInBatchesByCount_AndAcknowledgedOnceStored()
    {
        await SendAsync(0, 25);
        var store = Store();
        var batches = await TakeAsync(new RedisStreamIngestion<Click>(redis.Connection, store, "clicks", Options()), 2);

        Assert.Equal([10L, 10L], batches.Select(b => b.Rows));
        Assert.Equal(0, await PendingAsync()); // stopped after the second batch: nothing read and left unacknowledged
        await AssertStoredExactlyAsync(store, 20);

        var rest = Options();
        rest.MaxAge = TimeSpan.FromMilliseconds(100);
        Assert.Equal(5, Assert.Single(await TakeAsync(new RedisStreamIngestion<Click>(redis.Connection, store, "clicks", rest), 1)).Rows);
        await AssertStoredExactlyAsync(store, 25);
        Assert.StartsWith($"redis stream {_stream} ", batches[0].Source, StringComparison.Ordinal);
        Assert.Equal($"redis:{_stream}", batches[0].SentBy);
    }

    [Fact]
    public async Task AConsumerKilledBetweenStoringAndAcknowledging_LosesNothing_AndStoresNothingTwice()
    {
        await SendAsync(0, 30);
        var store = Store();
        var dying = new RedisStreamIngestion<Click>(redis.Connection, store, "clicks", Options())
        {
            AfterStoreBeforeAcknowledge = batch => batch.Sequence == 2 ? throw new Crash("killed after storing clicks#2") : ValueTask.CompletedTask,
        };
        await Assert.ThrowsAsync<Crash>(() => TakeAsync(dying, 3));
        Assert.Equal(10, await PendingAsync()); // clicks#2 is stored, its messages were never acknowledged

        var restarted = new RedisStreamIngestion<Click>(redis.Connection, store, "clicks", Options());
        var batches = await TakeAsync(restarted, 2);

        Assert.Equal(["clicks#2", "clicks#3"], batches.Select(b => b.Id)); // #2 recognised by its key and rows, not stored again
        Assert.Equal(0, await PendingAsync());
        await AssertStoredExactlyAsync(store, 30);
    }

    [Fact]
    public async Task ADeadConsumersMessages_AreTakenOverByAnother_AsTheSameBatch()
    {
        await SendAsync(0, 20);
        var store = Store();
        var dying = new RedisStreamIngestion<Click>(redis.Connection, store, "clicks", Options("worker-1"))
        {
            AfterStoreBeforeAcknowledge = _ => throw new Crash("worker-1 died"),
        };
        await Assert.ThrowsAsync<Crash>(() => TakeAsync(dying, 1));
        await Task.Delay(300); // worker-1's messages idle past ClaimIdleAfter

        var options = Options("worker-2");
        options.MaxAge = TimeSpan.FromMilliseconds(100);
        options.ClaimIdleAfter = TimeSpan.FromMilliseconds(200);
        var batches = await TakeAsync(new RedisStreamIngestion<Click>(redis.Connection, store, "clicks", options), 2);

        Assert.Equal(["clicks#1", "clicks#2"], batches.Select(b => b.Id));
        Assert.Equal(0, await PendingAsync());
        await AssertStoredExactlyAsync(store, 20);
    }

    [Fact]
    public async Task AMessageThatIsNotValidJson_IsQuarantinedWithItsId_AndTheConsumerGoesOn()
    {
        await SendAsync(0, 4);
        var bad = await Db.StreamAddAsync(_stream, "row", "{\"x\": 4, \"label\":");
        var wrongType = await Db.StreamAddAsync(_stream, "row", "{\"x\": \"four\", \"label\": true}");
        var noField = await Db.StreamAddAsync(_stream, "payload", "{}");
        await SendAsync(7, 3);
        var store = Store();

        var batch = Assert.Single(await TakeAsync(new RedisStreamIngestion<Click>(redis.Connection, store, "clicks", Options()), 1));

        Assert.Equal(7, batch.Rows);
        Assert.Equal(0, await PendingAsync());
        var quarantine = (await Db.HashGetAllAsync($"{_stream}:quarantine")).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal(new[] { bad, wrongType, noField }.Select(id => id.ToString()).Order(StringComparer.Ordinal), quarantine.Keys.Order(StringComparer.Ordinal));
        string Field(RedisValue id, string name) => JsonDocument.Parse(quarantine[id.ToString()]).RootElement.GetProperty(name).GetString()!;
        Assert.StartsWith($"entry {bad}: not a JSON Click", Field(bad, "reason"), StringComparison.Ordinal);
        Assert.Equal("{\"x\": 4, \"label\":", Field(bad, "data"));                              // the message itself is kept
        Assert.StartsWith($"entry {wrongType}: not a JSON Click", Field(wrongType, "reason"), StringComparison.Ordinal);
        Assert.Equal($"entry {noField} has no field 'row'", Field(noField, "reason"));
    }

    [Fact]
    public async Task AFewMessages_AreStoredWhenTheBatchIsMaxAgeOld()
    {
        await SendAsync(0, 3);
        var options = Options(maxRows: 1000);
        options.MaxAge = TimeSpan.FromMilliseconds(200);
        var batch = Assert.Single(await TakeAsync(new RedisStreamIngestion<Click>(redis.Connection, Store(), "clicks", options), 1));
        Assert.Equal(3, batch.Rows);
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public void ATakeoverShorterThanABatchsLife_OrAKeyTooLongForAnIdempotencyKey_IsRefused()
    {
        var options = Options();
        options.ClaimIdleAfter = TimeSpan.FromSeconds(30);
        options.MaxAge = TimeSpan.FromMinutes(1);
        Assert.Contains("ClaimIdleAfter (00:00:30) must be longer than MaxAge", Assert.Throws<ArgumentException>(() => new RedisStreamIngestion<Click>(redis.Connection, Store(), "clicks", options)).Message, StringComparison.Ordinal);

        var longKey = Options();
        longKey.StreamKey = new string('k', 240);
        longKey.SentBy = "feed";
        Assert.Contains("idempotency key", Assert.ThrowsAny<ArgumentException>(() => new RedisStreamIngestion<Click>(redis.Connection, Store(), "clicks", longKey)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "StreamKey must be set")]
    [InlineData("bad\nkey", "StreamKey must be set, without control characters")]
    public void InvalidOptions_AreRefusedNamingTheSetting(string key, string expected)
    {
        var options = Options();
        options.StreamKey = key;
        var error = Assert.Throws<ArgumentException>(() => new RedisStreamIngestion<Click>(redis.Connection, Store(), "clicks", options));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidDatasetName_IsRefused()
        => Assert.ThrowsAny<ArgumentException>(() => new RedisStreamIngestion<Click>(redis.Connection, Store(), "../clicks", Options()));
}
