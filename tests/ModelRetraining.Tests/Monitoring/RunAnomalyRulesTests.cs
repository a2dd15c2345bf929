using ModelRetraining.Testing;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Tests.Monitoring;

public class RunAnomalyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private readonly RunAnomalyRules _rules = new();

    [Fact]
    public void ATrainingFarSlowerThanItsHistory_IsFlaggedWithItsFigures()
    {
        var history = History(12, i => i % 2 == 0 ? 9 : 11); // mean 10 s, deviation about 1 s

        var anomalies = _rules.Find(Run("now", training: 20), history, Now);

        var slow = Assert.Single(anomalies);
        Assert.Equal(RunAnomalyKind.SlowStage, slow.Kind);
        Assert.Equal(RetrainingStage.Training, slow.Stage);
        Assert.Equal("20", slow.Parameters["seconds"]);
        Assert.Equal("10", slow.Parameters["mean_seconds"]);
        Assert.Equal("12", slow.Parameters["history"]);
        Assert.Contains("beyond its mean", slow.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATrainingWithinThreeDeviations_IsNotFlagged() => Assert.Empty(_rules.Find(Run("now", training: 12), History(12, i => i % 2 == 0 ? 9 : 11), Now));

    [Fact]
    public void TooShortAHistory_JudgesNothing() => Assert.Empty(_rules.Find(Run("now", training: 500), History(9, _ => 10), Now));

    [Fact]
    public void AStageStillRunningPastTheLine_IsFlaggedWhileItRuns()
    {
        var run = Run("now", training: null);
        var live = new LiveRun("now", "flights", 1, Now.AddMinutes(-2)) { Stage = RetrainingStage.Training, StageStartedAt = Now.AddSeconds(-40) };

        var slow = Assert.Single(_rules.Find(run, History(12, i => i % 2 == 0 ? 9 : 11), Now, live: live), a => a.Kind == RunAnomalyKind.SlowStage);

        Assert.Equal("true", slow.Parameters["running"]);
        Assert.Equal("40", slow.Parameters["seconds"]);
    }

    [Fact]
    public void AnUnfinishedRunWhoseHeartbeatStopped_IsCrashed_NotRunning()
    {
        var run = Run("now", training: null);
        var stale = new RunClaim("now", "flights", 1, "node-a", Now.AddMinutes(-3));
        var fresh = stale with { At = Now.AddSeconds(-10) };

        var crashed = Assert.Single(_rules.Find(run, [], Now, stale, Lease));
        Assert.Equal(RunAnomalyKind.HeartbeatStopped, crashed.Kind);
        Assert.Equal("node-a", crashed.Parameters["holder"]);
        Assert.Equal("180", crashed.Parameters["silent_seconds"]);
        Assert.Empty(_rules.Find(run, [], Now, fresh, Lease));
        Assert.Empty(_rules.Find(Run("ended", training: 10), [], Now, stale, Lease)); // an ended run has no heartbeat to miss
    }

    [Fact]
    public void ACandidateFarBelowTheChampion_IsAMetricCollapse()
    {
        var collapsed = _rules.Find(Run("now", training: 10, metrics: """{"candidate":{"AUC":{"Name":"AUC","Value":0.40,"Direction":"HigherIsBetter"}},"champion":{"AUC":{"Name":"AUC","Value":0.85,"Direction":"HigherIsBetter"}}}"""), [], Now);
        var worse = _rules.Find(Run("now", training: 10, metrics: """{"candidate":{"AUC":{"Name":"AUC","Value":0.80,"Direction":"HigherIsBetter"}},"champion":{"AUC":{"Name":"AUC","Value":0.85,"Direction":"HigherIsBetter"}}}"""), [], Now);
        var error = _rules.Find(Run("now", training: 10, metrics: """{"candidate":{"RMSE":{"Name":"RMSE","Value":30,"Direction":"LowerIsBetter"}},"champion":{"RMSE":{"Name":"RMSE","Value":10,"Direction":"LowerIsBetter"}}}"""), [], Now);

        var collapse = Assert.Single(collapsed);
        Assert.Equal(RunAnomalyKind.MetricCollapse, collapse.Kind);
        Assert.Equal("0.4", collapse.Parameters["candidate"]);
        Assert.Equal("0.85", collapse.Parameters["champion"]);
        Assert.Empty(worse);
        Assert.Equal(RunAnomalyKind.MetricCollapse, Assert.Single(error).Kind);
    }

    [Fact]
    public void ANonFiniteMetric_IsFlagged()
    {
        var anomalies = _rules.Find(Run("now", training: 10, metrics: """{"candidate":{"AUC":{"Name":"AUC","Value":"NaN","Direction":"HigherIsBetter"}},"champion":{"AUC":{"Name":"AUC","Value":0.85,"Direction":"HigherIsBetter"}}}"""), [], Now);

        var nan = Assert.Single(anomalies);
        Assert.Equal(RunAnomalyKind.NonFiniteMetric, nan.Kind);
        Assert.Equal("candidate", nan.Parameters["model"]);
        Assert.Equal("NaN", nan.Parameters["value"]);
    }

    [Fact]
    public void MemoryThatGrowsDuringTraining_IsFlagged_SmallGrowthIsNot()
    {
        static LiveRun Live(long from, long to) => new("now", "flights", 1, Now) { Samples = [Sample(0, from), Sample(1, (from + to) / 2), Sample(2, to)] };
        var run = Run("now", training: 10);

        var growth = Assert.Single(_rules.Find(run, [], Now, live: Live(200L << 20, 900L << 20)));
        Assert.Equal(RunAnomalyKind.MemoryGrowth, growth.Kind);
        Assert.Equal(((200L << 20)).ToString(System.Globalization.CultureInfo.InvariantCulture), growth.Parameters["start_bytes"]);
        Assert.Empty(_rules.Find(run, [], Now, live: Live(200L << 20, 300L << 20)));
        Assert.Empty(_rules.Find(run, [], Now, live: Live(50L << 20, 200L << 20))); // tripled, but by less than 256 MiB
    }

    [Fact]
    public void BadThresholds_AreRefusedNamingEachSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RunAnomalyRules(new RunAnomalyOptions { SlowStageDeviations = 0, MinHistory = 1, MetricCollapseShare = 1.5, MemoryGrowthFactor = 0.5 }));

        foreach (var setting in new[] { "SlowStageDeviations", "MinHistory", "MetricCollapseShare", "MemoryGrowthFactor" })
        {
            Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APipelineRun_LogsItsAnomaliesAsWarnings()
    {
        var fixture = new PipelineFixture();
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);
        var first = fixture.Builder();
        first.LoggerFactory = loggerFactory;
        Assert.Equal(RetrainingRunStatus.Succeeded, (await first.Build().RunAsync()).Status);
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 17);

        // Broken data: the candidate scores far below the champion.
        fixture.Evaluator.CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.30, MetricDirection.HigherIsBetter));
        fixture.Evaluator.ChampionMetrics = FakeEvaluator.Metrics(("AUC", 0.90, MetricDirection.HigherIsBetter));
        var second = fixture.Builder();
        second.LoggerFactory = loggerFactory;
        var result = await second.Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        var warning = Assert.Single(logs.Entries, e => e.EventId == 17);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("MetricCollapse", warning.Message, StringComparison.Ordinal);
        Assert.Contains("candidate=0.3", warning.Message, StringComparison.Ordinal);
    }

    private static ResourceSample Sample(int second, long workingSet) => new(Now.AddSeconds(second), 50, workingSet, workingSet / 2) { Stage = RetrainingStage.Training };

    private static List<IReadOnlyList<RunJournalEntry>> History(int runs, Func<int, double> trainingSeconds)
        => [.. Enumerable.Range(0, runs).Select(i => (IReadOnlyList<RunJournalEntry>)Run($"past{i}", trainingSeconds(i), start: Now.AddHours(-runs + i)))];

    // A run's journal: started, ingesting and training completed (training still running when null), evaluated with
    // the metrics given, and succeeded when it got that far.
    private static List<RunJournalEntry> Run(string id, double? training, string? metrics = null, DateTimeOffset? start = null)
    {
        var at = start ?? Now.AddMinutes(-5);
        var entries = new List<RunJournalEntry>
        {
            new(id, "flights", RetrainingStage.Queued, RunJournalStatus.Started, at),
            new(id, "flights", RetrainingStage.Ingesting, RunJournalStatus.Completed, at.AddSeconds(2)) { Duration = TimeSpan.FromSeconds(2) },
        };
        if (training is { } seconds)
        {
            entries.Add(new(id, "flights", RetrainingStage.Training, RunJournalStatus.Completed, at.AddSeconds(2 + seconds)) { Duration = TimeSpan.FromSeconds(seconds) });
            entries.Add(new(id, "flights", RetrainingStage.Evaluating, RunJournalStatus.Completed, at.AddSeconds(3 + seconds)) { Duration = TimeSpan.FromSeconds(1), Outputs = metrics ?? """{"candidate":{"AUC":{"Name":"AUC","Value":0.8,"Direction":"HigherIsBetter"}}}""" });
            entries.Add(new(id, "flights", RetrainingStage.Promoting, RunJournalStatus.Succeeded, at.AddSeconds(4 + seconds)));
        }

        return [.. entries.Select((e, i) => e with { Sequence = i + 1 })];
    }
}
