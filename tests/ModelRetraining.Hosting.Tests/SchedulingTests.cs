using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using ModelRetraining.Testing;

namespace ModelRetraining.Hosting.Tests;

/// <summary>Quartz.NET in a real host: schedules fire into the model's coordinator, and bad schedules stop the host at start.</summary>
public class SchedulingTests
{
    private sealed class Row
    {
        public float X { get; set; }

        public bool Label { get; set; }
    }

    private static DatasetSnapshot Snapshot(string name) => new(
        name,
        new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => new Row { X = i, Label = i % 2 == 0 }).ToArray()),
        new DataSchema([new DataColumn("X", DataColumnKind.Numeric), new DataColumn("Label", DataColumnKind.Boolean)], "Label"),
        40,
        $"sha256:{name}");

    private static HostApplicationBuilder Builder(InMemoryModelRegistry registry, Action<ModelRetrainingBuilder> schedules)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IModelRegistry>(registry);
        var retraining = builder.Services.AddModelRetraining().AddPipeline("churn", (p, _) => p
            .UseTrainingData(new FakeDataSource("train", (_, _) => Snapshot("train")))
            .UseHoldoutData(new FakeDataSource("holdout", (_, _) => Snapshot("holdout")))
            .UseTrainer(new FakeTrainer())
            .UseEvaluator(new FakeEvaluator { CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.8, MetricDirection.HigherIsBetter)) })
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5)));
        schedules(retraining);
        return builder;
    }

    [Fact]
    public async Task IntervalTrigger_FiresIntoTheCoordinator_AndTheRunRecordsIt()
    {
        var registry = new InMemoryModelRegistry();
        using var host = Builder(registry, r => r.AddIntervalTrigger("churn", TimeSpan.FromHours(1)).ConfigureCoordinator("churn", o => o.Cooldown = TimeSpan.FromMinutes(10))).Build();
        await host.StartAsync();
        try
        {
            var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
            Assert.True(SpinWait.SpinUntil(() => coordinator.Runs.Count > 0, TimeSpan.FromSeconds(60)), "the interval trigger never fired");
            var run = await coordinator.Runs[0];
            Assert.Equal(RetrainingRunStatus.Succeeded, run.Status);
            var cause = Assert.Single(run.Causes);
            Assert.Equal("interval", cause.Kind);
            Assert.Equal("quartz", cause.Actor);
            Assert.Contains("churn|interval", cause.Evidence["trigger"], StringComparison.Ordinal);
            Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task HostStart_ResumesARunWhoseProcessDied_BeforeAnyTriggerStartsOne()
    {
        var registry = new InMemoryModelRegistry();
        var at = DateTimeOffset.UtcNow;
        // What a killed process leaves: the run started and ingested, and nothing more.
        await registry.Journal.AppendAsync(new RunJournalEntry("died", "churn", RetrainingStage.Queued, "started", at) { Outputs = """{"Actor":"ops","Reason":"cron 0 3 * * *","Causes":[]}""" });
        await registry.Journal.AppendAsync(new RunJournalEntry("died", "churn", RetrainingStage.Ingesting, "completed", at));
        using var host = Builder(registry, r => r.AddCronTrigger("churn", "0 0 3 1 1 ? 2099")).Build();
        await host.StartAsync();
        try
        {
            var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
            Assert.True(SpinWait.SpinUntil(() => coordinator.Runs.Count > 0, TimeSpan.FromSeconds(60)), "the unfinished run was not resumed");
            var run = await coordinator.Runs[0];
            Assert.Equal("died", run.RunId);
            Assert.Equal(RetrainingRunStatus.Succeeded, run.Status);
            Assert.Equal(RetrainingStage.Ingesting, run.ResumedAfter);
            Assert.Equal("died", (await registry.GetVersionAsync("churn", 1))?.RunId);
            Assert.Equal("ops", (await registry.GetVersionAsync("churn", 1))?.CreatedBy);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task NewDataTrigger_WithAChampionTrainedOnFewerRows_StartsARunWithTheEvidence()
    {
        var registry = new InMemoryModelRegistry();
        using var host = Builder(registry, r => r.AddNewDataTrigger("churn", _ => new FakeDataSource("growing", (_, _) => Snapshot("growing")), minNewRows: 10, every: TimeSpan.FromHours(1))).Build();
        await host.StartAsync();
        try
        {
            var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
            Assert.True(SpinWait.SpinUntil(() => coordinator.Runs.Count > 0, TimeSpan.FromSeconds(60)), "the new-data check never fired");
            var run = await coordinator.Runs[0];
            var cause = Assert.Single(run.Causes);
            Assert.Equal("new-data", cause.Kind);
            Assert.Equal("40", cause.Evidence["rows"]);
            Assert.Equal("0", cause.Evidence["trainedOn"]);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task PerformanceTrigger_IsAKeyedMonitorThatFeedsTheCoordinator()
    {
        var registry = new InMemoryModelRegistry();
        using var host = Builder(registry, r => r.AddPerformanceTrigger("churn", () => ConceptDrift.Ddm())).Build();
        await host.StartAsync();
        try
        {
            var monitor = host.Services.GetRequiredKeyedService<PerformanceMonitor>("churn");
            var random = new Random(2);
            for (var i = 0; i < 3_000; i++)
            {
                monitor.RecordOutcome(random.NextDouble() >= (i < 2_000 ? 0.1 : 0.5));
            }

            var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
            var run = await Assert.Single(coordinator.Runs);
            Assert.Equal("performance", run.Causes[0].Kind);
            Assert.Equal("DDM", run.Causes[0].Evidence["detector"]);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task BadSchedules_StopTheHostAtStartListingEveryProblem()
    {
        using var host = Builder(new InMemoryModelRegistry(), r => r
            .AddCronTrigger("churn", "every night at three")
            .AddCronTrigger("churn", "0 0 3 * * ?", timeZone: "Mars/Olympus_Mons")
            .AddCronTrigger("fraud", "0 0 3 * * ?")
            .AddIntervalTrigger("churn", TimeSpan.Zero)
            .AddNewDataTrigger("churn", _ => new FakeDataSource("x", (_, _) => Snapshot("x")), minNewRows: 0, every: TimeSpan.FromHours(1))
            .AddDriftTrigger("ghost", _ => new FakeDataSource("x", (_, _) => Snapshot("x")), TimeSpan.FromHours(1))
            .AddPerformanceTrigger("phantom")
            .ConfigureCoordinator("churn", o => o.Cooldown = TimeSpan.FromMinutes(-1))).Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'every night at three' is not a valid Quartz cron expression", error.Message, StringComparison.Ordinal);
        Assert.Contains("the time zone 'Mars/Olympus_Mons' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("no pipeline named 'fraud' is registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("the interval must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator of 'churn': Cooldown must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("the new-row threshold must be 1 or more", error.Message, StringComparison.Ordinal);
        Assert.Contains("Drift trigger for 'ghost': no pipeline named 'ghost'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Performance trigger for 'phantom': no pipeline named 'phantom'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CronTriggerInATimeZone_IsAcceptedAndScheduled()
    {
        using var host = Builder(new InMemoryModelRegistry(), r => r.AddCronTrigger("churn", "0 0 3 * * ?", timeZone: "Europe/Paris")).Build();
        await host.StartAsync();
        try
        {
            var scheduler = await host.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
            var trigger = await scheduler.GetTrigger(new Quartz.TriggerKey("churn|cron|0 0 3 * * ?|Europe/Paris", "model-retraining"));
            var cron = Assert.IsAssignableFrom<Quartz.ICronTrigger>(trigger);
            Assert.Equal("0 0 3 * * ?", cron.CronExpressionString);
            Assert.Equal("Europe/Paris", cron.TimeZone.Id);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
