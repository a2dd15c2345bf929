// Usage: ModelRetraining.RedisWorker <redis endpoint> <stream> <dataset store folder> <consumer> [pause after storing batch N]
// A Redis stream consumer as a host runs one: it stores clicks in batches of 5 and acknowledges each after
// storing it. Prints "ready" once connected and "stored <batch id> <rows>" per batch; runs until killed or
// until its standard input closes. With a fifth argument N it stops after storing batch N, before
// acknowledging it, and prints "paused <batch id>": the test kills it there with SIGKILL. The test also
// kills it at random moments while rows keep arriving.
using ModelRetraining;
using ModelRetraining.Redis;
using StackExchange.Redis;

var (endpoint, stream, folder, consumer) = (args[0], args[1], args[2], args[3]);
await using var redis = await ConnectionMultiplexer.ConnectAsync($"{endpoint},abortConnect=true,connectTimeout=5000");
var store = DatasetStore.Embedded(folder);
var ingestion = new RedisStreamIngestion<Click>(redis, store, "clicks", new RedisStreamIngestionOptions
{
    StreamKey = stream,
    Consumer = consumer,
    MaxRows = 5,
    MaxAge = TimeSpan.FromMilliseconds(100),
    PollInterval = TimeSpan.FromMilliseconds(10),
    ClaimIdleAfter = TimeSpan.Zero,
    LabelColumn = "Label",
});

if (args.Length > 4)
{
    var pauseAt = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
    // The consumer's test hook is internal (packages open their internals to test assemblies only), so this
    // test process sets it by reflection.
    Func<DatasetBatch, ValueTask> pause = async batch =>
    {
        if (batch.Sequence == pauseAt)
        {
            Console.WriteLine($"paused {batch.Id}");
            await Task.Delay(Timeout.Infinite);
        }
    };
    typeof(RedisStreamIngestion<Click>).GetProperty("AfterStoreBeforeAcknowledge", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.SetValue(ingestion, pause);
}

using var stop = new CancellationTokenSource();
_ = Task.Run(async () =>
{
    await Console.In.ReadToEndAsync();
    await stop.CancelAsync();
});

Console.WriteLine("ready");
try
{
    await foreach (var batch in ingestion.RunAsync(stop.Token))
    {
        Console.WriteLine($"stored {batch.Id} {batch.Rows}");
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}

/// <summary>A row of the clicks stream.</summary>
internal sealed class Click
{
    public float X { get; set; }

    public bool Label { get; set; }
}
