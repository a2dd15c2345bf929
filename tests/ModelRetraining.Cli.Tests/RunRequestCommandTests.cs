using System.Text.Json;
using Microsoft.Data.Sqlite;
using QuickStart;
using static ModelRetraining.Cli.Tests.QuickStartRegistry;

namespace ModelRetraining.Cli.Tests;

/// <summary>
/// <c>mrt runs cancel</c> and <c>mrt runs resume</c> run as processes while a host (this test process, on the
/// quick start's real pipeline and registry) holds the run: the host acts on the request, the tool waits for
/// it and says what was done, and every refusal changes nothing.
/// </summary>
public sealed class RunRequestCommandTests(QuickStartRegistry quickStart) : IClassFixture<QuickStartRegistry>
{
    private static readonly (DateTime From, DateTime To) January = (new DateTime(2001, 1, 1), new DateTime(2001, 2, 1));
    private static readonly (DateTime From, DateTime To) EarlyFebruary = (new DateTime(2001, 2, 1), new DateTime(2001, 2, 15));

    [Fact]
    public async Task RunsCancel_TheHostHoldingTheRunCancelsItMidTraining_NothingRegistered_TheJournalNamesWhoAsked()
    {
        var folder = quickStart.Copy();
        var registry = ModelRegistry.Embedded(folder);
        var training = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = FlightDelays.Pipeline(registry, FlightDelays.DataFile, January, EarlyFebruary)
            .DecorateTrainer(t => new TrainerThatWaits(t, training))
            .Configure(o => o.RunLease = TimeSpan.FromSeconds(2))
            .Build();
        var running = pipeline.RunAsync(new RetrainingRunOptions { Actor = "scheduler", RunId = "run-3" }).AsTask();
        await training.Task.WaitAsync(TimeSpan.FromMinutes(2));

        var (exit, json, error) = await Mrt("runs", "cancel", "run-3", "--reason", "wrong data window", "--actor", "carol", "--wait", "60s", "--registry", folder, "--json");
        var result = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(exit == 0, error);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("carol", document.RootElement.GetProperty("actor").GetString());
        Assert.StartsWith("cancelled during Training", document.RootElement.GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.Equal(RetrainingRunStatus.Cancelled, result.Status);
        var entries = await ToListAsync(registry.GetService<IRunJournal>()!.ReadRunAsync("run-3"));
        Assert.Equal(RunJournalStatus.Cancelled, entries[^1].Status);
        Assert.Contains("cancelled by carol: wrong data window", entries[^1].Outputs, StringComparison.Ordinal);
        Assert.Equal(2, (await ToListAsync(registry.ListVersionsAsync("flight-delays"))).Count);
        Assert.Equal(1, (await registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);
        Assert.Contains(await ToListAsync(registry.GetAuditEventsAsync("flight-delays")), e => e.Action == AuditActions.RunCancelRequested && e.Actor == "carol" && e.Subject == "run-3");

        var (_, shown, _) = await Mrt("runs", "show", "run-3", "--registry", folder, "--json");
        using var show = JsonDocument.Parse(shown);
        var request = Assert.Single(show.RootElement.GetProperty("requests").EnumerateArray());
        Assert.Equal(("cancel", "wrong data window"), (request.GetProperty("kind").GetString(), request.GetProperty("reason").GetString()));
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task RunsResume_AHostsSweepResumesTheFailedRun_AndTheToolPrintsHowItEnded()
    {
        var folder = quickStart.Copy();
        var registry = ModelRegistry.Embedded(folder);
        var pipeline = FlightDelays.Pipeline(registry, FlightDelays.DataFile, January, EarlyFebruary)
            .DecorateTrainer(t => new TrainerThatFailsOnce(t))
            .Build();
        var failed = await pipeline.RunAsync(new RetrainingRunOptions { Actor = "scheduler", RunId = "run-3" });
        Assert.Equal(RetrainingRunStatus.Failed, failed.Status);
        await using var coordinator = new RetrainingCoordinator(pipeline, new RetrainingCoordinatorOptions { Actor = "host-1" });
        using var stop = new CancellationTokenSource();
        var sweeping = Task.Run(async () =>
        {
            // What ModelRetraining.Hosting does every ResumeSweepInterval.
            while (!stop.IsCancellationRequested)
            {
                await coordinator.ResumeUnfinishedAsync(stop.Token);
                await Task.Delay(200, stop.Token);
            }
        });

        var (exit, json, error) = await Mrt("runs", "resume", "run-3", "--reason", "the feature store is back", "--actor", "carol", "--wait", "3m", "--registry", folder, "--json");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sweeping);

        Assert.True(exit == 0, error);
        using var document = JsonDocument.Parse(json);
        var resumed = Assert.Single(coordinator.Runs);
        Assert.Equal($"resumed by host-1: {(await resumed).Status}", document.RootElement.GetProperty("outcome").GetString());
        Assert.True((await resumed).Status is RetrainingRunStatus.Succeeded or RetrainingRunStatus.Rejected, (await resumed).Status.ToString());
        var runs = await ToListAsync(registry.GetService<IRunJournal>()!.ListRunsAsync("flight-delays"));
        Assert.Equal(2, runs.Single(r => r.RunId == "run-3").Attempts);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task RunsList_ShowsWhatTriggeredEachRun_FromItsJournal()
    {
        var folder = quickStart.Copy();
        var registry = ModelRegistry.Embedded(folder);
        await using (var coordinator = new RetrainingCoordinator(FlightDelays.Pipeline(registry, FlightDelays.DataFile, January, EarlyFebruary).Build()))
        {
            coordinator.TriggerManually("carol", "customer complaint");
            await coordinator.Runs[0].WaitAsync(TimeSpan.FromMinutes(2));
        }

        SqliteConnection.ClearAllPools();
        var (exit, json, error) = await Mrt("runs", "list", "flight-delays", "--last", "1", "--registry", folder, "--json");
        var (_, table, _) = await Mrt("runs", "list", "flight-delays", "--registry", folder);

        Assert.True(exit == 0, error);
        using var document = JsonDocument.Parse(json);
        var trigger = Assert.Single(document.RootElement.EnumerateArray()).GetProperty("trigger");
        Assert.Equal(["manual"], trigger.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Contains("customer complaint", trigger.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("manual", table, StringComparison.Ordinal);
        Assert.Contains("call by alice", table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "runs", "list", "flight-delays", "--last", "0")]
    [InlineData(4, "runs", "cancel", "no-such-run", "--reason", "x")]
    [InlineData(3, "runs", "cancel", "run-1", "--reason", "x")]
    [InlineData(3, "runs", "resume", "run-1", "--reason", "x")]
    [InlineData(3, "runs", "resume", "run-2", "--reason", "x")]
    [InlineData(2, "runs", "cancel", "run-1")]
    [InlineData(2, "runs", "cancel", "../run-1", "--reason", "x")]
    [InlineData(2, "runs", "resume", "run-1", "--reason", "x", "--wait", "soon")]
    [InlineData(2, "runs", "cancel", "run-1", "--reason", " ")]
    public async Task BadRequests_AreRefusedWithTheirExitCode_AndNothingIsFiledOrAudited(int expected, params string[] args)
    {
        var folder = quickStart.Copy();
        var registry = ModelRegistry.Embedded(folder);
        var auditBefore = (await ToListAsync(registry.GetAuditEventsAsync("flight-delays"))).Count;
        SqliteConnection.ClearAllPools();

        var (exit, _, error) = await Mrt([.. args, "--registry", folder]);

        Assert.Equal(expected, exit);
        Assert.StartsWith("mrt: ", error, StringComparison.Ordinal);
        Assert.Equal(auditBefore, (await ToListAsync(registry.GetAuditEventsAsync("flight-delays"))).Count);
        foreach (var run in new[] { "run-1", "run-2" })
        {
            Assert.Empty(await ToListAsync(registry.GetService<IRunRequestStore>()!.ReadRequestsAsync(run)));
        }

        SqliteConnection.ClearAllPools();
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    // Says that training started, then trains only once cancelled (it never is, here, but by the operator).
    private sealed class TrainerThatWaits(ITrainer inner, TaskCompletionSource started) : DelegatingTrainer(inner)
    {
        public override async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return await base.TrainAsync(training, context, cancellationToken);
        }
    }

    private sealed class TrainerThatFailsOnce(ITrainer inner) : DelegatingTrainer(inner)
    {
        private int _calls;

        public override ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
            => Interlocked.Increment(ref _calls) == 1
                ? throw new InvalidOperationException("The feature store timed out.")
                : base.TrainAsync(training, context, cancellationToken);
    }
}
