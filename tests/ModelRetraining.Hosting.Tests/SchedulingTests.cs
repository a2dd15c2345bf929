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

    private static HostApplicationBuilder Builder(InMemoryModelRegistry registry, Action<ModelRetrainingBuilder> schedules, FakeTrainer? trainer = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IModelRegistry>(registry);
        var retraining = builder.Services.AddModelRetraining().AddPipeline("churn", (p, _) => p
            .UseTrainingData(new FakeDataSource("train", (_, _) => Snapshot("train")))
            .UseHoldoutData(new FakeDataSource("holdout", (_, _) => Snapshot("holdout")))
            .UseTrainer(trainer ?? new FakeTrainer())
            .UseEvaluator(new FakeEvaluator { CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.8, MetricDirection.HigherIsBetter)) })
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5)));
        schedules(retraining);
        return builder;
    }

    [Fact]
    public async Task HostStop_CancelsTheRunUnderWay_AndWaitsForItToEnd_BeforeReturning()
    {
        var registry = new InMemoryModelRegistry();
        using var training = new ManualResetEventSlim();
        var trainer = new FakeTrainer();
        var train = trainer.OnTrain;
        trainer.OnTrain = (data, context, ct) =>
        {
            training.Set();
            ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(60)); // a long training that honours cancellation
            ct.ThrowIfCancellationRequested();
            return train(data, context, ct);
        };
        using var host = Builder(registry, r => r.AddIntervalTrigger("churn", TimeSpan.FromHours(1)), trainer).Build();
        await host.StartAsync();
        var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
        Assert.True(training.Wait(TimeSpan.FromSeconds(60)), "the interval trigger never started a run");

        await host.StopAsync();

        var run = Assert.Single(coordinator.Runs);
        Assert.True(run.IsCompleted, "host stop returned while the run was still writing");
        Assert.Equal(RetrainingRunStatus.Cancelled, (await run).Status);
        Assert.Equal(RunJournalStatus.Cancelled, (await registry.GetService<IRunJournal>()!.ReadRunAsync((await run).RunId).ToListAsync()).Last().Status);
        Assert.Null(await registry.GetVersionAsync("churn", 1));
        Assert.Throws<ObjectDisposedException>(() => coordinator.TriggerManually("ops", "after stop"));
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
        await registry.GetService<IRunJournal>()!.AppendAsync(new RunJournalEntry("died", "churn", RetrainingStage.Queued, RunJournalStatus.Started, at) { Outputs = """{"Actor":"ops","Reason":"cron 0 3 * * *","Causes":[]}""" });
        await registry.GetService<IRunJournal>()!.AppendAsync(new RunJournalEntry("died", "churn", RetrainingStage.Ingesting, RunJournalStatus.Completed, at));
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

    // On the real clock: Quartz 4.7.3 on a FakeTimeProvider can spin without end when a one-off trigger is
    // added at run time and the fake clock then jumps (seen here as an out-of-memory kill), so this test
    // uses a two-second deadline instead.
    [Fact]
    public async Task ApprovalDeadline_IsAOneOffQuartzTrigger_ThatExpiresTheRequest()
    {
        var registry = new InMemoryModelRegistry();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IModelRegistry>(registry);
        builder.Services.AddModelRetraining()
            .AddPipeline("churn", (p, _) => p
                .UseTrainingData(new FakeDataSource("train", (_, _) => Snapshot("train")))
                .UseHoldoutData(new FakeDataSource("holdout", (_, _) => Snapshot("holdout")))
                .UseTrainer(new FakeTrainer())
                .UseEvaluator(new FakeEvaluator { CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.8, MetricDirection.HigherIsBetter)) })
                .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5).RequireApproval())
                .UseApprovalPolicy(a => a.Deadline = TimeSpan.FromSeconds(2)))
            .AddCronTrigger("churn", "0 0 3 1 1 ? 2099");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
            coordinator.TriggerManually("ops", "test approval expiry");
            var run = await WaitForRunAsync(coordinator, 0);
            Assert.Equal(RetrainingRunStatus.AwaitingApproval, run.Status);
            var request = await registry.GetService<IApprovalStore>()!.GetAsync(run.RunId);
            var scheduler = await host.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
            Quartz.ITrigger? trigger = null;
            for (var i = 0; i < 100 && trigger is null; i++)
            {
                trigger = await scheduler.GetTrigger(new Quartz.TriggerKey($"approval-expiry|{run.RunId}", "model-retraining"));
                await Task.Delay(20);
            }

            Assert.Equal(request?.Deadline, trigger?.StartTimeUtc);
            var status = ApprovalStatus.Pending;
            for (var i = 0; i < 300 && status != ApprovalStatus.Expired; i++)
            {
                await Task.Delay(50);
                status = (await registry.GetService<IApprovalStore>()!.GetAsync(run.RunId))!.Status;
            }

            Assert.Equal(ApprovalStatus.Expired, status);
            Assert.Null(await registry.GetAliasAsync("churn", ModelAliases.Champion));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task EstimatedPerformanceTrigger_LowLabelFreeEstimate_StartsARun()
    {
        var registry = new InMemoryModelRegistry();
        var random = new Random(3);
        var reference = Enumerable.Range(0, 4_000).Select(_ => random.NextDouble() < 0.5 ? random.NextDouble() * 0.1 : 0.9 + (random.NextDouble() * 0.1)).ToArray();
        var labels = reference.Select(p => random.NextDouble() < p).ToArray();
        using var host = Builder(registry, r => r.AddEstimatedPerformanceTrigger("churn", _ => ConfidenceBasedPerformanceEstimator.Fit(reference, labels, new PerformanceEstimatorOptions { Metric = EstimatedMetric.Accuracy, ChunkSize = 500 }))).Build();
        await host.StartAsync();
        try
        {
            var monitor = host.Services.GetRequiredKeyedService<EstimatedPerformanceMonitor>("churn");
            PerformanceEstimate? estimate = null;
            for (var i = 0; i < 500; i++)
            {
                estimate = monitor.RecordPrediction(0.45 + (random.NextDouble() * 0.1)) ?? estimate;
            }

            Assert.True(estimate?.Alert, estimate?.ToString());
            var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
            var run = await WaitForRunAsync(coordinator, 0);
            Assert.Equal("performance-estimate", Assert.Single(run.Causes).Kind);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<RetrainingRunResult> WaitForRunAsync(RetrainingCoordinator coordinator, int index)
    {
        Assert.True(SpinWait.SpinUntil(() => coordinator.Runs.Count > index, TimeSpan.FromSeconds(60)), "no run started");
        return await coordinator.Runs[index];
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
    public async Task NewDataAndNewDataShareTriggers_OnOnePipelineWithOneInterval_EachFireWithItsOwnCheck()
    {
        var registry = new InMemoryModelRegistry();
        using var host = Builder(registry, r => r
            .AddNewDataTrigger("churn", _ => new FakeDataSource("rows", (_, _) => Snapshot("rows")), minNewRows: 10, every: TimeSpan.FromHours(1))
            .AddNewDataShareTrigger("churn", _ => new FakeDataSource("share", (_, _) => Snapshot("share")), minNewShare: 0.5, every: TimeSpan.FromHours(1))).Build();
        var checks = host.Services.GetRequiredService<IOptions<RetrainingScheduleOptions>>().Value.Checks;
        await host.StartAsync();
        try
        {
            var coordinator = host.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
            Assert.True(SpinWait.SpinUntil(() => coordinator.Runs.Count > 0, TimeSpan.FromSeconds(60)), "no data check fired");
            var run = await coordinator.Runs[0];

            Assert.Equal(2, checks.Select(c => c.Id).Distinct().Count());
            Assert.Equal([DataCheckKind.NewRows, DataCheckKind.NewRowShare], checks.Select(c => c.Kind));
            Assert.Contains(run.Causes, c => c.Kind == "new-data");
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

            // The monitor hands the trigger to the coordinator, which may start the run on another thread.
            Assert.True(SpinWait.SpinUntil(() => coordinator.Runs.Count > 0, TimeSpan.FromSeconds(60)), "the performance trigger never started a run");
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
            .AddNewDataShareTrigger("churn", _ => new FakeDataSource("x", (_, _) => Snapshot("x")), minNewShare: -0.5, every: TimeSpan.FromHours(2))
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
        Assert.Contains("the new-row share must be a positive number; it is -0.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqliteJobStore_KeepsTriggersAndTheirFireTimesAcrossARestart()
    {
        var registry = new InMemoryModelRegistry();
        var store = Path.Combine(Path.GetTempPath(), "mr-jobs", Guid.NewGuid().ToString("N"), "jobs.db");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero));
        const string cron = "churn|cron|0 0 3 * * ?|UTC";
        DateTimeOffset? firedAt;
        using (var first = Builder(registry, r => r.UseTimeProvider(clock).UseSqliteJobStore(store).AddCronTrigger("churn", "0 0 3 * * ?")).Build())
        {
            await first.StartAsync();
            var coordinator = first.Services.GetRequiredKeyedService<RetrainingCoordinator>("churn");
            for (var i = 0; i < 600 && coordinator.Runs.Count == 0; i++)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                await Task.Delay(10);
            }

            Assert.Equal(RetrainingRunStatus.Succeeded, (await coordinator.Runs[0]).Status);
            var scheduler = await first.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
            firedAt = (await scheduler.GetTrigger(new Quartz.TriggerKey(cron, "model-retraining")))?.PreviousFireTimeUtc;
            await first.StopAsync();
        }

        Assert.Equal(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero), firedAt);
        Assert.True(File.Exists(store));
        clock.Advance(TimeSpan.FromHours(1)); // the process comes back an hour later
        using var second = Builder(registry, r => r.UseTimeProvider(clock).UseSqliteJobStore(store).AddCronTrigger("churn", "0 0 3 * * ?")).Build();
        await second.StartAsync();
        try
        {
            var scheduler = await second.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
            var trigger = await scheduler.GetTrigger(new Quartz.TriggerKey(cron, "model-retraining"));
            Assert.Equal(firedAt, trigger?.PreviousFireTimeUtc);
            Assert.Equal(new DateTimeOffset(2026, 11, 30, 3, 0, 0, TimeSpan.Zero), trigger?.NextFireTimeUtc);
        }
        finally
        {
            await second.StopAsync();
        }
    }

    [Fact]
    public async Task SqliteJobStore_PathThatIsAFolder_StopsTheHostNamingTheSetting()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mr-jobs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using var host = Builder(new InMemoryModelRegistry(), r => r.UseSqliteJobStore(folder).AddCronTrigger("churn", "0 0 3 * * ?")).Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"UseSqliteJobStore(\"{folder}\"): the path is a folder", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Builder(new InMemoryModelRegistry(), r => r.UseSqliteJobStore(" ")));
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
