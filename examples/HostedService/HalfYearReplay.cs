using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ModelRetraining;
using Quartz;

namespace HostedService;

/// <summary>
/// Replays January–June 2001 through the real host on a fake clock: the clock jumps from one Quartz fire
/// time to the next (Quartz itself runs on that clock), and before each jump the host is left to settle:
/// due jobs executed, runs finished. Each day's flights arrive at midnight (see <see cref="SlidingWindow"/>).
/// </summary>
public static partial class HalfYearReplay
{
    /// <summary>Runs the replay.</summary>
    /// <param name="registryFolder">A fresh registry folder.</param>
    /// <param name="from">The first simulated instant (needs 35 days of data before it).</param>
    /// <param name="to">The last simulated instant.</param>
    /// <param name="logging">Adds log providers (the console in the example, a collector in tests).</param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <returns>Every run, in order, with its triggers and decision.</returns>
    public static async Task<ReplayReport> RunAsync(string registryFolder, DateTimeOffset from, DateTimeOffset to, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        var clock = new FakeTimeProvider(from);
        using var host = FlightsHost.Build(registryFolder, clock, logging);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HostedService.Replay");
        var concurrency = new RunConcurrency(FlightsHost.Pipeline);
        using var listener = concurrency.Listen();

        await host.StartAsync(cancellationToken);
        var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>(FlightsHost.Pipeline);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(cancellationToken);
        var runs = new List<RetrainingRunResult>();
        try
        {
            while (clock.GetUtcNow() < to)
            {
                await SettleAsync(scheduler, coordinator, clock, cancellationToken);
                foreach (var run in coordinator.Runs.Skip(runs.Count).Select(t => t.Result))
                {
                    runs.Add(run);
                    LogRun(logger, run);
                }

                var next = await NextFireTimeAsync(scheduler, cancellationToken) ?? to;
                clock.Advance((next < to ? next : to) - clock.GetUtcNow());
            }

            await SettleAsync(scheduler, coordinator, clock, cancellationToken);
            foreach (var run in coordinator.Runs.Skip(runs.Count).Select(t => t.Result))
            {
                runs.Add(run);
                LogRun(logger, run);
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        return new ReplayReport(runs, concurrency.Max);
    }

    private static void LogRun(ILogger logger, RetrainingRunResult run)
    {
        var causes = string.Join(", ", run.Causes.Select(c => c.Kind).Distinct());
        var auc = run.Decision?.Criteria.FirstOrDefault(c => c.Metric == "AUC" && c.ChampionValue is not null) is { } c
            ? $"AUC {c.CandidateValue?.ToString("F4", CultureInfo.InvariantCulture)} vs champion {c.ChampionValue!.Value.ToString("F4", CultureInfo.InvariantCulture)}"
            : "first model";
        var outcome = run.Status == RetrainingRunStatus.Succeeded ? $"promoted v{run.RegisteredVersion?.Version}" : $"{run.Status}: {run.Reasons.FirstOrDefault()}";
        Timeline(logger, run.StartedAt.ToString("yyyy-MM-dd ddd HH:mm", CultureInfo.InvariantCulture), causes, outcome, auc);
    }

    private static async Task<DateTimeOffset?> NextFireTimeAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        DateTimeOffset? next = null;
        foreach (var key in await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.AnyGroup(), cancellationToken))
        {
            if (await scheduler.GetTrigger(key, cancellationToken) is { } trigger && trigger.NextFireTimeUtc is { } at && (next is null || at < next))
            {
                next = at;
            }
        }

        return next;
    }

    // Settled: no trigger is due, no job executes, no run is under way.
    private static async Task SettleAsync(IScheduler scheduler, RetrainingCoordinator coordinator, TimeProvider clock, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.StartNew();
        var quiet = 0;
        while (wait.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(5, cancellationToken);
            var due = await NextFireTimeAsync(scheduler, cancellationToken) is { } next && next <= clock.GetUtcNow();
            var busy = due || (await scheduler.QueryFireInstances(new FireInstanceQuery { State = FireInstanceState.Executing }, cancellationToken)).Items.Count > 0 || coordinator.Runs.Any(r => !r.IsCompleted);
            quiet = busy ? 0 : quiet + 1;
            if (quiet >= 3)
            {
                return;
            }
        }

        throw new TimeoutException("The host did not settle within two minutes of real time.");
    }

    [LoggerMessage(100, LogLevel.Information, "{At}  triggers: {Causes,-16} → {Outcome} ({Auc})")]
    private static partial void Timeline(ILogger logger, string at, string causes, string outcome, string auc);

    // Counts the model's runs under way at once, from the library's own run spans (real time, not the fake clock).
    private sealed class RunConcurrency(string model)
    {
        private readonly List<(DateTime Start, DateTime End)> _spans = [];

        public int Max
        {
            get
            {
                lock (_spans)
                {
                    var edges = _spans.SelectMany(s => new[] { (s.Start, +1), (s.End, -1) }).OrderBy(e => e.Item1).ThenBy(e => e.Item2);
                    int current = 0, max = 0;
                    foreach (var (_, delta) in edges)
                    {
                        max = Math.Max(max, current += delta);
                    }

                    return max;
                }
            }
        }

        public ActivityListener Listen()
        {
            var listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "ModelRetraining",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = a =>
                {
                    if (a.OperationName == "ModelRetraining.Run" && a.GetTagItem("modelretraining.model") as string == model)
                    {
                        lock (_spans)
                        {
                            _spans.Add((a.StartTimeUtc, a.StartTimeUtc + a.Duration));
                        }
                    }
                },
            };
            ActivitySource.AddActivityListener(listener);
            return listener;
        }
    }
}
