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
/// Does watching slow a run? The quick start's pipeline (LightGBM on January 2001 flights, February held
/// out) runs in rounds, alternately with no dashboard open and with <c>watchers</c> live streams reading
/// (each a real SSE connection over loopback, as an open page holds; the feed looks at the registry every
/// 200 ms, five times the default rate), in one process. Prints each pair and the median ratio.
/// </summary>
internal static class DashboardWatchersMeasurement
{
    public static int Run(int watchers, int rounds)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"mr-watchers-{Guid.NewGuid():N}");
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
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRetrainingDashboard();
        await using var app = builder.Build();
        app.MapRetrainingDashboard("/retraining", o => { o.Registry = registry; o.ChangePollInterval = TimeSpan.FromMilliseconds(200); });
        await app.StartAsync();
        var events = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/retraining/events");

        var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var (train, holdout) = (flights.Between(new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)), flights.Between(new DateTime(2001, 2, 1), new DateTime(2001, 2, 15)));
        var run = 0;
        async Task<double> TimeRunAsync()
        {
            var clock = Stopwatch.StartNew();
            var result = await FlightDelays.Pipeline(registry, train, holdout).Build().RunAsync(new RetrainingRunOptions { RunId = $"bench-{++run}" });
            clock.Stop();
            return result.Status == RetrainingRunStatus.Failed ? throw new InvalidOperationException(result.ToString()) : clock.Elapsed.TotalSeconds;
        }

        await TimeRunAsync(); // warm-up: JIT, first champion
        var ratios = new List<double>();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        for (var round = 0; round < rounds; round++)
        {
            // A B, then B A: the runs speed up as the process warms, so neither side always goes first.
            var aloneFirst = round % 2 == 0;
            var alone = aloneFirst ? await TimeRunAsync() : 0;
            using var stop = new CancellationTokenSource();
            var received = new long[watchers];
            var readers = Enumerable.Range(0, watchers).Select(i => Task.Run(async () =>
            {
                try
                {
                    using var stream = await http.GetStreamAsync(events, stop.Token);
                    using var reader = new StreamReader(stream);
                    while (await reader.ReadLineAsync(stop.Token) is not null)
                    {
                        received[i]++;
                    }
                }
                catch (OperationCanceledException)
                {
                }
            })).ToArray();
            await Task.Delay(500);
            var watched = await TimeRunAsync();
            await stop.CancelAsync();
            await Task.WhenAll(readers);
            alone = aloneFirst ? alone : await TimeRunAsync();
            ratios.Add(watched / alone);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: alone {alone:0.000} s, with {watchers} watchers {watched:0.000} s, ratio {watched / alone:0.000}; stream lines read {received.Sum()}"));
        }

        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median ratio (watched / alone) over {rounds} rounds: {ratios[ratios.Count / 2]:0.000} (range {ratios[0]:0.000}–{ratios[^1]:0.000})"));
        return 0;
    }
}
