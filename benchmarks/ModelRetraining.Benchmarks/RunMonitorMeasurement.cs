using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRetraining.Dashboard;
using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// What following a run live costs it: the quick start's pipeline runs in pairs, once plain and once with a
/// <see cref="RunMonitor"/> (progress, a resource sample a second, the log tail) and <c>watchers</c> pages
/// following its live stream (real SSE connections over loopback, connected as soon as the run shows in the
/// monitor), in one process. Prints each pair and the median ratio.
/// </summary>
internal static class RunMonitorMeasurement
{
    public static int Run(int watchers, int rounds)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"mr-monitor-{Guid.NewGuid():N}");
        try
        {
            return RunAsync(folder, watchers, rounds).GetAwaiter().GetResult();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<int> RunAsync(string folder, int watchers, int rounds)
    {
        var registry = ModelRegistry.Embedded(folder);
        using var monitor = new RunMonitor();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("MR_BENCH_LOG") is not null)
        {
            builder.Logging.AddConsole();
        }

        builder.Services.AddRetrainingDashboard();
        await using var app = builder.Build();
        app.MapRetrainingDashboard("/retraining", o => { o.Registry = registry; o.Monitor = monitor; });
        await app.StartAsync();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/retraining";

        var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var (train, holdout) = (flights.Between(new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)), flights.Between(new DateTime(2001, 2, 1), new DateTime(2001, 2, 15)));
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var run = 0;
        async Task<(double Seconds, long Frames)> TimeRunAsync(bool followed)
        {
            var runId = $"bench-{++run}";
            var pipeline = FlightDelays.Pipeline(registry, train, holdout);
            if (followed)
            {
                pipeline.UseRunMonitor(monitor);
            }

            using var stop = new CancellationTokenSource();
            var frames = new long[watchers];
            var readers = followed ? Enumerable.Range(0, watchers).Select(i => Task.Run(async () =>
            {
                try
                {
                    while (monitor.Find(runId) is null)
                    {
                        await Task.Delay(5, stop.Token);
                    }

                    using var stream = await http.GetStreamAsync(new Uri($"{root}/models/flight-delays/runs/{runId}/live"), stop.Token);
                    using var reader = new StreamReader(stream);
                    while (await reader.ReadLineAsync(stop.Token) is { } line)
                    {
                        frames[i] += line.StartsWith("data:", StringComparison.Ordinal) ? 1 : 0;
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
                {
                    if (i == 0 && ex is HttpRequestException)
                    {
                        Console.WriteLine($"watcher refused: {ex.Message}");
                    }
                }
            })).ToArray() : [];
            var clock = Stopwatch.StartNew();
            var result = await pipeline.Build().RunAsync(new RetrainingRunOptions { RunId = runId });
            clock.Stop();
            await Task.WhenAny(Task.WhenAll(readers), Task.Delay(3_000)); // the streams end with the run
            await stop.CancelAsync();
            await Task.WhenAll(readers);
            return result.Status == RetrainingRunStatus.Failed ? throw new InvalidOperationException(result.ToString()) : (clock.Elapsed.TotalSeconds, frames.Sum());
        }

        await TimeRunAsync(followed: false); // warm-up: JIT, first champion
        await TimeRunAsync(followed: true);
        var ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // A B, then B A: the runs speed up as the process warms, so neither side always goes first.
            var plainFirst = round % 2 == 0;
            var plain = plainFirst ? (await TimeRunAsync(followed: false)).Seconds : 0;
            var (followedSeconds, frames) = await TimeRunAsync(followed: true);
            plain = plainFirst ? plain : (await TimeRunAsync(followed: false)).Seconds;
            ratios.Add(followedSeconds / plain);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: plain {plain:0.000} s, monitored with {watchers} live pages {followedSeconds:0.000} s, ratio {followedSeconds / plain:0.000}; frames read {frames}"));
        }

        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median ratio (monitored / plain) over {rounds} rounds: {ratios[ratios.Count / 2]:0.000} (range {ratios[0]:0.000}–{ratios[^1]:0.000})"));
        return 0;
    }
}
