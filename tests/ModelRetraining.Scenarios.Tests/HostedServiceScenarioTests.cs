using HostedService;
using Microsoft.Extensions.Logging;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// Story: the hosted example (a generic host, Quartz.NET on the host's clock) retrains the flight-delay
/// model every Monday at 02:00 and when the daily drift check finds data-set drift. A fake clock replays
/// February–June 2001, one day's flights arriving each midnight. The log says which trigger fired and what
/// each run decided, and no two runs overlap.
/// </summary>
public class HostedServiceScenarioTests
{
    [Fact]
    public async Task HalfYearReplay_CronAndDriftTriggerRuns_EachDecisionLogged_NoOverlap()
    {
        var lines = new List<string>();
        var folder = Path.Combine(Path.GetTempPath(), "mr-hosted", Guid.NewGuid().ToString("N"));

        var report = await HalfYearReplay.RunAsync(
            folder,
            new DateTimeOffset(2001, 2, 5, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2001, 7, 1, 0, 0, 0, TimeSpan.Zero),
            l => l.AddProvider(new CollectingLoggerProvider(lines)));

        // 21 Mondays from 5 February to 25 June, each a cron run; the daily drift check adds its own.
        var cron = report.Runs.Where(r => r.Causes.Any(c => c.Kind == "cron")).ToArray();
        Assert.Equal(21, cron.Length);
        Assert.All(cron, r => Assert.Equal((DayOfWeek.Monday, 2), (r.StartedAt.DayOfWeek, r.StartedAt.Hour)));
        Assert.Contains(report.Runs, r => r.Causes.Any(c => c.Kind == "drift" && c.Evidence.Count > 0));
        Assert.Equal(1, report.MaxConcurrentRuns);

        // Every run decided, and the first promoted the first model.
        Assert.All(report.Runs, r => Assert.Contains(r.Status, new[] { RetrainingRunStatus.Succeeded, RetrainingRunStatus.Rejected }));
        Assert.Equal(RetrainingRunStatus.Succeeded, report.Runs[0].Status);
        Assert.Contains(report.Runs.Skip(1), r => r.Status == RetrainingRunStatus.Succeeded);
        Assert.Contains(report.Runs, r => r.Status == RetrainingRunStatus.Rejected);

        // The log has one timeline line per run, naming its trigger and its outcome.
        string[] timeline;
        lock (lines)
        {
            timeline = lines.Where(l => l.Contains("triggers:", StringComparison.Ordinal)).ToArray();
        }

        Assert.Equal(report.Runs.Count, timeline.Length);
        Assert.Contains(timeline, l => l.Contains("triggers: drift", StringComparison.Ordinal));
        Assert.Contains(timeline, l => l.Contains("→ promoted v", StringComparison.Ordinal));
        Assert.Contains(timeline, l => l.Contains("→ Rejected: AUC", StringComparison.Ordinal));

        // The registry holds one version per run that got past the gate's registration, champion the last promoted.
        var registry = ModelRegistry.Embedded(folder);
        var versions = 0;
        await foreach (var _ in registry.ListVersionsAsync(FlightsHost.Pipeline))
        {
            versions++;
        }

        Assert.Equal(report.Runs.Count(r => r.RegisteredVersion is not null), versions);
        Assert.Equal(report.Runs.Last(r => r.Status == RetrainingRunStatus.Succeeded).RegisteredVersion?.Version, (await registry.GetAliasAsync(FlightsHost.Pipeline, ModelAliases.Champion))?.Version);
    }

    private sealed class CollectingLoggerProvider(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collector(lines);

        public void Dispose()
        {
        }

        private sealed class Collector(List<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (lines)
                {
                    lines.Add(formatter(state, exception));
                }
            }
        }
    }
}
