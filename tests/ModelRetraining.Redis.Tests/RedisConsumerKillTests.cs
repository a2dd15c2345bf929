using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ModelRetraining.Redis.Tests;

/// <summary>
/// The consumer in a process of its own (ModelRetraining.RedisWorker), killed with SIGKILL between storing a
/// batch and acknowledging it, then at random moments while rows keep arriving, from a real redis-server
/// into a real dataset store, and started again under the same name each time: every row sent is stored
/// exactly once, and nothing is left pending.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisConsumerKillTests(RedisServerFixture redis) : IDisposable
{
    private const int Rows = 300;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-redis-kill", Guid.NewGuid().ToString("N"));
    private readonly string _stream = $"clicks:{Guid.NewGuid():N}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task AConsumerProcessKilledBetweenStoringAndAcknowledging_AndAtRandomMoments_LosesNoRow_AndStoresNoRowTwice()
    {
        var db = redis.Connection.GetDatabase();
        await SendAsync(db, 0, 50);

        // Killed at the exact moment: batch 3 stored, its five messages not acknowledged.
        using (var paused = await StartAsync(pauseAfterBatch: 3))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            while ((line = await paused.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("paused ", StringComparison.Ordinal))
            {
            }

            Assert.Equal("paused clicks#3", line);
            paused.Kill(); // SIGKILL: no cleanup, no acknowledgement
            await paused.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        var store = DatasetStore.Embedded(_folder);
        Assert.Equal(3, (await store.ListBatchesAsync("clicks").ToListAsync()).Count);
        Assert.Equal(5, (await db.StreamPendingAsync(_stream, "model-retraining")).PendingMessageCount);

        // Then killed at moments a fixed seed picks, while rows keep arriving (before, during and after
        // stores and acknowledgements), and started again under the same name each time.
        var producer = Task.Run(async () =>
        {
            for (var i = 50; i < Rows; i++)
            {
                await SendAsync(db, i, 1);
                await Task.Delay(3);
            }
        });
        var random = new Random(15);
        for (var round = 0; round < 6; round++)
        {
            using var worker = await StartAsync();
            await Task.Delay(random.Next(30, 300));
            worker.Kill();
            await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        await producer.WaitAsync(TimeSpan.FromSeconds(60));
        using (var last = await StartAsync())
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await store.ListBatchesAsync("clicks").ToListAsync()).Sum(b => b.Rows) < Rows && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            last.StandardInput.Close(); // a clean stop once everything is in
            await last.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        var context = new RetrainingContext("clicks", "check", TimeProvider.System);
        var stored = await store.Window("clicks", labelColumn: "Label").LoadAsync(context);
        var sent = await DataSource.FromEnumerable("sent", () => Enumerable.Range(0, Rows).Select(i => new RedisStreamIngestionTests.Click { X = i, Label = i % 2 == 0 }), labelColumn: "Label").LoadAsync(context);
        Assert.Equal(Rows, stored.RowCount);
        Assert.Equal(sent.Fingerprint, stored.Fingerprint); // in order, none lost, none doubled
        Assert.Equal(0, (await db.StreamPendingAsync(_stream, "model-retraining")).PendingMessageCount);
    }

    private async Task SendAsync(StackExchange.Redis.IDatabase db, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await db.StreamAddAsync(_stream, "row", JsonSerializer.Serialize(new { x = i, label = i % 2 == 0 }));
        }
    }

    private async Task<Process> StartAsync(int? pauseAfterBatch = null)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "ModelRetraining.RedisWorker.dll");
        Assert.True(File.Exists(program), $"the Redis worker is not built at {program}");
        string[] arguments = [program, redis.Endpoint, _stream, _folder, "worker-1", .. pauseAfterBatch is { } n ? [n.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>()];
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ready = await process.StandardOutput.ReadLineAsync(timeout.Token);
        Assert.Equal("ready", ready);
        if (pauseAfterBatch is null)
        {
            _ = process.StandardOutput.ReadToEndAsync(); // keep its output flowing
        }

        return process;
    }
}
