using System.Diagnostics;
using System.Globalization;
using ModelRetraining.PostgreSql;
using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Promotion to swap across processes: this process promotes (alternating two versions of the quick start's
/// real ML.NET model on a PostgreSQL registry) and a serving node in another process
/// (tests/ModelRetraining.ServingNode) reports when its <c>ModelServer</c> serves the new version, on the
/// same clock. Measured from just before <c>SetAliasAsync</c> (its commit included) to the swap (the new
/// version loaded and live), once through LISTEN/NOTIFY alone and once through polling alone (every second).
/// </summary>
internal static class SwapLatencyMeasurement
{
    public static int Run(string servingNode, int promotions)
    {
        var postgres = Environment.GetEnvironmentVariable("MR_POSTGRES");
        if (postgres is null || !File.Exists(servingNode))
        {
            Console.Error.WriteLine("Set MR_POSTGRES and pass the built ModelRetraining.ServingNode.dll (benchmarks/swap/run.sh does both).");
            return 2;
        }

        return RunAsync(postgres, servingNode, promotions).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string postgres, string servingNode, int promotions)
    {
        var schema = $"swap_{Guid.NewGuid():N}"[..30];
        await using var registry = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(postgres, new PostgreSqlRegistryOptions { Schema = schema });
        var first = await FlightDelays.Pipeline(registry, FlightDelays.DataFile, (new(2001, 1, 1), new(2001, 2, 1)), (new(2001, 2, 1), new(2001, 2, 15))).Build().RunAsync();
        if (first.RegisteredVersion is not { } v1 || first.Status != RetrainingRunStatus.Succeeded)
        {
            Console.Error.WriteLine($"the quick start's run did not promote v1: {first.Status}");
            return 1;
        }

        await registry.RegisterVersionAsync(new NewModelVersion("flight-delays", await registry.ReadArtifactAsync(v1), "bench"));
        Console.WriteLine("| path | promotions | p50 ms | p95 ms | p99 ms | max ms |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (mode, label) in new[] { ("notify", "LISTEN/NOTIFY (server poll every hour)"), ("poll:1000", "polling every 1 s (no LISTEN)") })
        {
            var latencies = await MeasureAsync(registry, postgres, schema, servingNode, mode, promotions);
            latencies.Sort();
            Console.WriteLine(FormattableString.Invariant($"| {label} | {latencies.Count} | {At(latencies, 0.50):0.0} | {At(latencies, 0.95):0.0} | {At(latencies, 0.99):0.0} | {latencies[^1]:0.0} |"));
        }

        return 0;
    }

    private static async Task<List<double>> MeasureAsync(IModelRegistry registry, string postgres, string schema, string servingNode, string mode, int promotions)
    {
        var start = new ProcessStartInfo("dotnet", [servingNode, schema, "flight-delays", mode]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.Environment["MR_WORKER_POSTGRES"] = postgres;
        using var node = Process.Start(start)!;
        try
        {
            var ready = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var current = int.Parse(ready!["ready ".Length..], CultureInfo.InvariantCulture);
            var latencies = new List<double>();
            var jitter = new Random(7);
            for (var i = 0; i < promotions; i++)
            {
                // A pause of 100 ms plus a random share of a poll period: a promotion lands anywhere in the polling
                // path's cycle instead of in step with it (right after a swap, which is where the last one ended).
                await Task.Delay(100 + jitter.Next(1000));
                var to = current == 1 ? 2 : 1;
                var asked = DateTime.UtcNow;
                await registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, to, current, "bench", "swap latency"));
                var line = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                var parts = line!.Split(' ');
                if (parts is not ["swap", var version, var ticks] || int.Parse(version, CultureInfo.InvariantCulture) != to)
                {
                    throw new InvalidOperationException($"the serving node said '{line}' after the move to v{to}");
                }

                latencies.Add((new DateTime(long.Parse(ticks, CultureInfo.InvariantCulture), DateTimeKind.Utc) - asked).TotalMilliseconds);
                current = to;
            }

            return latencies;
        }
        finally
        {
            node.StandardInput.Close();
            if (!node.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                node.Kill(entireProcessTree: true);
            }
        }
    }

    private static double At(List<double> sorted, double quantile) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * quantile))];
}
