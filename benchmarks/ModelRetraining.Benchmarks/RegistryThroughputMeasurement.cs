using System.Diagnostics;
using System.Globalization;
using System.Text;
using ModelRetraining.PostgreSql;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Registry operations per second on the embedded SQLite registry and on PostgreSQL (the server named by
/// <c>MR_POSTGRES</c>, a fresh schema), with 1, 8 and 32 concurrent clients in one process: register a
/// version (a 1 KB artifact), move an alias (each client its own model, so the figure is the backend's and
/// not one model's lock), and read a version by alias. Then the latency from a promotion on one PostgreSQL
/// registry object to the <see cref="IAliasMoveSource.AliasMoved"/> event on another (two nodes' worth of
/// connections), 200 moves one after another.
/// </summary>
internal static class RegistryThroughputMeasurement
{
    private static readonly int[] Clients = [1, 8, 32];

    public static int Run(double seconds)
    {
        var postgres = Environment.GetEnvironmentVariable("MR_POSTGRES");
        if (postgres is null)
        {
            Console.Error.WriteLine("Set MR_POSTGRES to a PostgreSQL server's connection string (benchmarks/registry/run.sh starts one).");
            return 2;
        }

        var folder = Path.Combine(Path.GetTempPath(), $"mr-registry-bench-{Guid.NewGuid():N}");
        var schema = $"bench_{Guid.NewGuid():N}"[..30];
        try
        {
            Console.WriteLine("| backend | operation | clients | ops/s | p50 ms | p99 ms |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            MeasureAsync("SQLite (embedded)", ModelRegistry.Embedded(folder), seconds).GetAwaiter().GetResult();
            var registry = PostgreSqlRegistry.Create(postgres, new PostgreSqlRegistryOptions { Schema = schema });
            MeasureAsync("PostgreSQL 15", registry, seconds).GetAwaiter().GetResult();
            NotificationLatencyAsync(postgres, schema).GetAwaiter().GetResult();
            ((IAsyncDisposable)registry).DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task MeasureAsync(string backend, IModelRegistry registry, double seconds)
    {
        // Every client gets its own model with a champion, so moves and reads have something to work on.
        for (var c = 0; c < Clients[^1]; c++)
        {
            var v = await Register(registry, c, 0);
            await registry.SetAliasAsync(new AliasChange(Model(c), ModelAliases.Champion, v.Version, null, "bench", "setup"));
        }

        foreach (var clients in Clients)
        {
            Report(backend, "register (1 KB artifact)", clients, await LoopAsync(clients, seconds, async (c, i) => await Register(registry, c, i + 1)));
        }

        foreach (var clients in Clients)
        {
            var current = new int?[clients];
            for (var c = 0; c < clients; c++)
            {
                current[c] = (await registry.GetAliasAsync(Model(c), ModelAliases.Champion))!.Version;
            }

            Report(backend, "alias move", clients, await LoopAsync(clients, seconds, async (c, i) =>
            {
                // Between version 1 and the client's latest, expecting where the last move left it.
                var to = current[c] == 1 ? 2 : 1;
                await registry.SetAliasAsync(new AliasChange(Model(c), ModelAliases.Champion, to, current[c], "bench", "move"));
                current[c] = to;
            }));
        }

        foreach (var clients in Clients)
        {
            Report(backend, "read by alias", clients, await LoopAsync(clients, seconds, async (c, _) => await registry.GetAliasAsync(Model(c), ModelAliases.Champion)));
        }
    }

    private static async Task NotificationLatencyAsync(string connectionString, string schema)
    {
        await using var writer = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(connectionString, new PostgreSqlRegistryOptions { Schema = schema });
        await using var reader = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(connectionString, new PostgreSqlRegistryOptions { Schema = schema });
        var heard = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        reader.AliasMoved += (_, e) => heard.TrySetResult(Stopwatch.GetTimestamp());
        await reader.ListeningStarted.WaitAsync(TimeSpan.FromSeconds(30));
        var latencies = new List<double>();
        var current = (await writer.GetAliasAsync(Model(0), ModelAliases.Champion))!.Version;
        for (var i = 0; i < 200; i++)
        {
            heard = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var to = current == 1 ? 2 : 1;
            var start = Stopwatch.GetTimestamp();
            await writer.SetAliasAsync(new AliasChange(Model(0), ModelAliases.Champion, to, current, "bench", "latency"));
            var at = await heard.Task.WaitAsync(TimeSpan.FromSeconds(30));
            latencies.Add(Stopwatch.GetElapsedTime(start, at).TotalMilliseconds);
            current = to;
        }

        latencies.Sort();
        Console.WriteLine(FormattableString.Invariant($"| PostgreSQL 15 | promotion on node A → AliasMoved on node B (LISTEN/NOTIFY) | 1 | {1000 / latencies.Average():0} | {latencies[latencies.Count / 2]:0.00} | {latencies[(int)(latencies.Count * 0.99)]:0.00} |"));
    }

    // Throughput is calls over the wall-clock time of the whole loop: the embedded registry blocks its
    // threads, so summing each call's own time would overstate it.
    private static async Task<(List<double> Times, double Seconds)> LoopAsync(int clients, double seconds, Func<int, int, Task> operation)
    {
        var started = Stopwatch.GetTimestamp();
        var until = started + (long)(seconds * Stopwatch.Frequency);
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var times = new List<double>();
            for (var i = 0; Stopwatch.GetTimestamp() < until; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await operation(c, i);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            return times;
        })).ToArray();
        List<double> all = [.. (await Task.WhenAll(tasks)).SelectMany(t => t)];
        return (all, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static void Report(string backend, string operation, int clients, (List<double> Times, double Seconds) measured)
    {
        var (times, seconds) = measured;
        times.Sort();
        Console.WriteLine(FormattableString.Invariant($"| {backend} | {operation} | {clients} | {times.Count / seconds:0} | {times[times.Count / 2]:0.00} | {times[(int)(times.Count * 0.99)]:0.00} |"));
    }

    private static ValueTask<ModelVersion> Register(IModelRegistry registry, int client, int i)
        => registry.RegisterVersionAsync(new NewModelVersion(Model(client), new ModelArtifact("bench", "model.bin", Encoding.UTF8.GetBytes($"{client}-{i}-{new string('x', 1000)}")), "bench"));

    private static string Model(int client) => "model-" + client.ToString(CultureInfo.InvariantCulture);
}
