namespace ModelRetraining.Tests;

/// <summary>
/// Operators' requests about runs (IRunRequestStore), honoured by the engine: a cancel by the run's holder
/// (at its next lease renewal or stage), or at once when a dead process's run is resumed; a resume by the
/// coordinator's sweep. Every request ends closed with what was done.
/// </summary>
public class RunRequestTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CancelRequestedDuringTraining_TheHolderStopsAtItsNextRenewal_AndJournalsWhoAsked()
    {
        var fixture = new PipelineFixture();
        await RunResumeTests.SeedChampionAsync(fixture);
        var requests = Requests(fixture);
        var training = new TaskCompletionSource();
        fixture.Trainer.OnTrain = (_, _, ct) =>
        {
            training.TrySetResult();
            ct.WaitHandle.WaitOne(TimeSpan.FromMinutes(2));
            ct.ThrowIfCancellationRequested();
            throw new InvalidOperationException("never cancelled");
        };
        var pipeline = fixture.Builder().Configure(o => o.RunLease = TimeSpan.FromSeconds(1)).Build();
        var running = Task.Run(async () => await pipeline.RunAsync(new RetrainingRunOptions { RunId = "r2" })); // the in-memory run would reach the blocking trainer on this thread
        await training.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await requests.RequestAsync(new RunRequest("r2", "churn", RunRequestKind.Cancel, "carol", "wrong data window", At));
        var result = await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RetrainingRunStatus.Cancelled, result.Status);
        Assert.Contains("carol", result.Reasons[0], StringComparison.Ordinal);
        var journal = await fixture.JournalAsync("r2");
        Assert.Equal((RetrainingStage.Training, RunJournalStatus.Cancelled), (journal[^1].Stage, journal[^1].Status));
        Assert.Contains("\"requestedBy\":\"carol\"", journal[^1].Outputs, StringComparison.Ordinal);
        var closed = Assert.Single(await ToListAsync(requests.ReadRequestsAsync("r2")));
        Assert.Equal("cancelled during Training (attempt 1)", closed.Outcome);
        Assert.Equal("1", (await fixture.StateAsync()).Versions);
    }

    [Fact]
    public async Task CancelRequestedWhileAStageIgnoresCancellation_TakesEffectBeforeTheNextStage_NothingRegistered()
    {
        var fixture = new PipelineFixture();
        var requests = Requests(fixture);
        var train = fixture.Trainer.OnTrain;
        fixture.Trainer.OnTrain = (data, context, ct) =>
        {
            // Filed while training; the trainer never looks at its token (the lease of 60 s renews in 15 s).
            requests.RequestAsync(new RunRequest(context.RunId, "churn", RunRequestKind.Cancel, "carol", "stop", At), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            return train(data, context, ct);
        };

        var result = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "r1" });

        Assert.Equal(RetrainingRunStatus.Cancelled, result.Status);
        Assert.Equal(1, fixture.Trainer.Calls);
        Assert.Equal(string.Empty, (await fixture.StateAsync()).Versions);
        Assert.NotNull(Assert.Single(await ToListAsync(requests.ReadRequestsAsync("r1"))).ClosedAt);
    }

    [Fact]
    public async Task ACancelArrivingWhilePromoting_DoesNotCutThePromotionShort_TheRunSaysSucceeded_TheRequestSaysSo()
    {
        var fixture = new PipelineFixture();
        await RunResumeTests.SeedChampionAsync(fixture);
        var requests = Requests(fixture);
        var promoting = new SlowPromotion(fixture.Registry, () => requests.RequestAsync(new RunRequest("r2", "churn", RunRequestKind.Cancel, "carol", "too late", At)).AsTask());
        var pipeline = fixture.Builder().UseRegistry(promoting).Configure(o => o.RunLease = TimeSpan.FromSeconds(1)).Build();

        var result = await Task.Run(async () => await pipeline.RunAsync(new RetrainingRunOptions { RunId = "r2" }));

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.Equal(2, (await fixture.StateAsync()).Champion);
        Assert.Equal(RunJournalStatus.Succeeded, (await fixture.JournalAsync("r2"))[^1].Status);
        Assert.Equal("not cancelled: the run ended Succeeded before the cancel took effect", Assert.Single(await ToListAsync(requests.ReadRequestsAsync("r2"))).Outcome);
    }

    [Fact]
    public async Task ACancelPendingForARunWhoseProcessDied_EndsItAtOnceWhenAHostResumesIt_NoTrainingAgain()
    {
        var fixture = new PipelineFixture();
        await RunResumeTests.SeedChampionAsync(fixture);
        var dying = new RunResumeTests.DyingRegistry(fixture.Registry);
        var progress = new RunResumeTests.SyncProgress(p => dying.Dead |= p.Stage == RetrainingStage.Evaluating);
        await fixture.Builder().UseRegistry(dying).Build().RunAsync(new RetrainingRunOptions { RunId = "r2", Progress = progress });
        var requests = Requests(fixture);
        await requests.RequestAsync(new RunRequest("r2", "churn", RunRequestKind.Cancel, "carol", "superseded", At));
        var trainedBefore = fixture.Trainer.Calls;

        await using var coordinator = new RetrainingCoordinator(fixture.Builder().Build());
        var results = await coordinator.ResumeUnfinishedAsync();

        Assert.Equal(RetrainingRunStatus.Cancelled, Assert.Single(results).Status);
        Assert.Equal(trainedBefore, fixture.Trainer.Calls);
        Assert.Equal("1", (await fixture.StateAsync()).Versions);
        Assert.StartsWith("cancelled during", Assert.Single(await ToListAsync(requests.ReadRequestsAsync("r2"))).Outcome, StringComparison.Ordinal);
        Assert.Empty(await coordinator.ResumeUnfinishedAsync());
    }

    [Fact]
    public async Task AResumeRequestForAFailedRun_IsDoneByTheSweep_AndClosedWithHowTheRunEnded()
    {
        var fixture = new PipelineFixture();
        var train = fixture.Trainer.OnTrain;
        fixture.Trainer.OnTrain = (data, context, ct) => fixture.Trainer.Calls == 1 ? throw new InvalidOperationException("feature store timed out") : train(data, context, ct);
        var pipeline = fixture.Builder().Build();
        Assert.Equal(RetrainingRunStatus.Failed, (await pipeline.RunAsync(new RetrainingRunOptions { RunId = "r1" })).Status);
        await using var coordinator = new RetrainingCoordinator(pipeline, new RetrainingCoordinatorOptions { Actor = "host-1" });
        Assert.Empty(await coordinator.ResumeUnfinishedAsync()); // a failed run is not resumed on its own
        var requests = Requests(fixture);
        await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Resume, "carol", "the feature store is back", At));

        var results = await coordinator.ResumeUnfinishedAsync();

        Assert.Equal(RetrainingRunStatus.Succeeded, Assert.Single(results).Status);
        Assert.Equal("resumed by host-1: Succeeded", Assert.Single(await ToListAsync(requests.ReadRequestsAsync("r1"))).Outcome);
        Assert.Empty(await coordinator.ResumeUnfinishedAsync());
        Assert.Equal("1", (await fixture.StateAsync()).Versions);
    }

    [Fact]
    public async Task RequestsAboutRunsThatEnded_OrRunsThatDoNotExist_AreClosedSayingWhy_NothingRuns()
    {
        var fixture = new PipelineFixture();
        var pipeline = fixture.Builder().Build();
        await pipeline.RunAsync(new RetrainingRunOptions { RunId = "r1" });
        var requests = Requests(fixture);
        await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Cancel, "carol", "too late", At));
        await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Resume, "carol", "again", At));
        await requests.RequestAsync(new RunRequest("nope", "churn", RunRequestKind.Resume, "carol", "typo", At));
        await using var coordinator = new RetrainingCoordinator(pipeline);

        Assert.Empty(await coordinator.ResumeUnfinishedAsync());

        var closed = (await ToListAsync(requests.ReadRequestsAsync("r1"))).Concat(await ToListAsync(requests.ReadRequestsAsync("nope"))).ToList();
        Assert.All(closed, r => Assert.NotNull(r.ClosedAt));
        Assert.StartsWith("not cancelled: the run had ended succeeded", closed[0].Outcome, StringComparison.Ordinal);
        Assert.StartsWith("not resumed: Run 'r1' of 'churn' already ended", closed[1].Outcome, StringComparison.Ordinal);
        Assert.StartsWith("not resumed: the journal has no run 'nope'", closed[2].Outcome, StringComparison.Ordinal);
        Assert.Equal(1, fixture.Trainer.Calls);
    }

    private static IRunRequestStore Requests(PipelineFixture fixture) => fixture.Registry.GetService<IRunRequestStore>()!;

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    // Files a cancel as the alias move begins, then takes longer than a renewal (a quarter of the 1 s lease).
    private sealed class SlowPromotion(IModelRegistry inner, Func<Task> onMove) : DelegatingModelRegistry(inner)
    {
        public override async ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
        {
            await onMove();
            await Task.Delay(TimeSpan.FromMilliseconds(700), CancellationToken.None);
            return await base.SetAliasAsync(change, cancellationToken);
        }
    }
}
