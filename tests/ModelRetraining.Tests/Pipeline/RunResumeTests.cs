using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

/// <summary>
/// A run whose process dies is resumed from the journal: completed work is not redone, a version is
/// never registered twice and the champion never moves twice. "Dying" here means that from a chosen
/// point on every write to the registry and the journal fails, so nothing after it is recorded, which is
/// what the store sees when the process is killed (the SIGKILL test with a child process is in Scenarios).
/// </summary>
public class RunResumeTests
{
    [Theory]
    [InlineData(RetrainingStage.Ingesting)]
    [InlineData(RetrainingStage.Validating)]
    [InlineData(RetrainingStage.Training)]
    [InlineData(RetrainingStage.Evaluating)]
    [InlineData(RetrainingStage.Gating)]
    [InlineData(RetrainingStage.Registering)]
    [InlineData(RetrainingStage.Promoting)]
    public async Task ResumeAsync_AfterDyingAtAStage_EndsWithOneNewVersionAndOneAliasMove(RetrainingStage deathAt)
    {
        var fixture = new PipelineFixture();
        await SeedChampionAsync(fixture);
        var dying = new DyingRegistry(fixture.Registry);
        var progress = new SyncProgress(p =>
        {
            if (p.Stage == deathAt && p.Fraction == 0)
            {
                dying.Dead = true;
            }
        });

        var first = await fixture.Builder().UseRegistry(dying).Build().RunAsync(new RetrainingRunOptions { RunId = "r2", Progress = progress });
        Assert.NotEqual(RetrainingRunStatus.Succeeded, first.Status);

        var pipeline = fixture.Builder().Build();
        Assert.Equal(["r2"], await pipeline.FindUnfinishedRunsAsync());
        var resumed = await pipeline.ResumeAsync("r2");

        Assert.True(resumed.Status == RetrainingRunStatus.Succeeded, string.Join(" | ", resumed.Reasons));
        Assert.NotNull(resumed.ResumedAfter);
        var state = await fixture.StateAsync();
        Assert.Equal("1,2", state.Versions);
        Assert.Equal(2, state.Champion);
        Assert.Equal(2, state.History.Split('|').Length);
        Assert.Equal("r2", (await fixture.Registry.GetVersionAsync("churn", 2))?.RunId);
        Assert.Empty(await pipeline.FindUnfinishedRunsAsync());
        var journal = await fixture.JournalAsync("r2");
        Assert.Contains(journal, j => j.Status == RunJournalStatus.Resumed);
        Assert.Equal(RunJournalStatus.Succeeded, journal[^1].Status);
        Assert.Null(await fixture.Registry.GetService<IRunJournal>()!.ReadCheckpointAsync("r2", "candidate"));
    }

    [Fact]
    public async Task ResumeAsync_AfterTrainingCompleted_UsesTheCheckpointInsteadOfTrainingAgain()
    {
        var fixture = new PipelineFixture();
        await SeedChampionAsync(fixture);
        var dying = new DyingRegistry(fixture.Registry);
        var progress = new SyncProgress(p => dying.Dead |= p.Stage == RetrainingStage.Evaluating);
        await fixture.Builder().UseRegistry(dying).Build().RunAsync(new RetrainingRunOptions { RunId = "r2", Progress = progress });
        var trainedBefore = fixture.Trainer.Calls;

        var resumed = await fixture.Builder().Build().ResumeAsync("r2");

        Assert.Equal(RetrainingRunStatus.Succeeded, resumed.Status);
        Assert.Equal(RetrainingStage.Training, resumed.ResumedAfter);
        Assert.Equal(trainedBefore, fixture.Trainer.Calls);
        var journal = await fixture.JournalAsync("r2");
        Assert.Contains("\"ReusedFrom\":\"checkpoint\"", journal.Last(j => j.Stage == RetrainingStage.Training).Outputs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResumeAsync_AfterTheVersionWasRegistered_ReusesItAndDoesNotTrainAgain()
    {
        var fixture = new PipelineFixture();
        await SeedChampionAsync(fixture);
        var dying = new DyingRegistry(fixture.Registry) { DieAfterRegister = true };
        await fixture.Builder().UseRegistry(dying).Build().RunAsync(new RetrainingRunOptions { RunId = "r2" });
        Assert.Equal("1,2", (await fixture.StateAsync()).Versions);
        var trainedBefore = fixture.Trainer.Calls;

        var resumed = await fixture.Builder().Build().ResumeAsync("r2");

        Assert.Equal(RetrainingRunStatus.Succeeded, resumed.Status);
        Assert.Equal(trainedBefore, fixture.Trainer.Calls);
        Assert.Equal(2, resumed.RegisteredVersion?.Version);
        Assert.Equal("1,2", (await fixture.StateAsync()).Versions);
    }

    [Fact]
    public async Task ResumeAsync_AfterTheAliasMoved_DoesNotMoveItAgain()
    {
        var fixture = new PipelineFixture();
        await SeedChampionAsync(fixture);
        var dying = new DyingRegistry(fixture.Registry) { DieAfterAliasMove = true };
        await fixture.Builder().UseRegistry(dying).Build().RunAsync(new RetrainingRunOptions { RunId = "r2" });
        var before = await fixture.StateAsync();
        Assert.Equal(2, before.Champion);

        var resumed = await fixture.Builder().Build().ResumeAsync("r2");

        Assert.Equal(RetrainingRunStatus.Succeeded, resumed.Status);
        Assert.Equal(before.History, (await fixture.StateAsync()).History);
        Assert.Equal(1, resumed.PreviousChampion?.Version);
    }

    [Fact]
    public async Task ResumeAsync_WhenTheTrainingDataChanged_TrainsAgain()
    {
        var fixture = new PipelineFixture();
        var dying = new DyingRegistry(fixture.Registry);
        var progress = new SyncProgress(p => dying.Dead |= p.Stage == RetrainingStage.Evaluating);
        await fixture.Builder().UseRegistry(dying).Build().RunAsync(new RetrainingRunOptions { RunId = "r1", Progress = progress });
        var trainedBefore = fixture.Trainer.Calls;
        var changed = new FakeDataSource("train.csv", (_, _) => TestData.Snapshot("train", 120));

        var resumed = await fixture.Builder().UseTrainingData(changed).Build().ResumeAsync("r1");

        Assert.Equal(RetrainingRunStatus.Succeeded, resumed.Status);
        Assert.Equal(trainedBefore + 1, fixture.Trainer.Calls);
    }

    [Fact]
    public async Task ResumeAsync_UnknownRun_NamesIt()
    {
        var fixture = new PipelineFixture();
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(async () => await fixture.Builder().Build().ResumeAsync("nope"));
        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await fixture.StateAsync()).Versions);
    }

    [Fact]
    public async Task ResumeAsync_RunThatEnded_IsRefusedAndChangesNothing()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "r1" });
        var before = await fixture.StateAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await fixture.Builder().Build().ResumeAsync("r1"));

        Assert.Contains("already ended (succeeded", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await fixture.StateAsync());
    }

    [Fact]
    public async Task ResumeAsync_RunOfAnotherModel_IsRefused()
    {
        var fixture = new PipelineFixture();
        await fixture.Registry.GetService<IRunJournal>()!.AppendAsync(new RunJournalEntry("f1", "fraud", RetrainingStage.Queued, RunJournalStatus.Started, DateTimeOffset.UnixEpoch));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await fixture.Builder().Build().ResumeAsync("f1"));
        Assert.Contains("model 'fraud'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResumeAsync_FailedRun_CanBeResumedOnRequest_ButIsNotListedAsUnfinished()
    {
        var fixture = new PipelineFixture();
        var failing = true;
        var train = fixture.Trainer.OnTrain;
        fixture.Trainer.OnTrain = (d, c, t) => failing ? throw new IOException("disk full") : train(d, c, t);
        var failed = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "r1" });
        Assert.Equal(RetrainingRunStatus.Failed, failed.Status);
        Assert.Empty(await fixture.Builder().Build().FindUnfinishedRunsAsync());

        failing = false;
        var resumed = await fixture.Builder().Build().ResumeAsync("r1");
        Assert.Equal(RetrainingRunStatus.Succeeded, resumed.Status);
    }

    internal static async Task SeedChampionAsync(PipelineFixture fixture)
    {
        var seeded = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "r1" });
        Assert.Equal(RetrainingRunStatus.Succeeded, seeded.Status);
    }

    internal sealed class SyncProgress(Action<RetrainingProgress> report) : IProgress<RetrainingProgress>
    {
        public void Report(RetrainingProgress value) => report(value);
    }

    // Once dead, every write fails as if the process were gone; reads still work so that the run can
    // reach its next write (where a killed process would simply have stopped).
    internal sealed class DyingRegistry(IModelRegistry inner) : DelegatingModelRegistry(inner), IRunJournal
    {
        public bool Dead { get; set; }

        public bool DieAfterRegister { get; init; }

        public bool DieAfterAliasMove { get; init; }

        public override async ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            var registered = await base.RegisterVersionAsync(version, cancellationToken);
            Dead |= DieAfterRegister;
            return registered;
        }

        public override async ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            var entry = await base.SetAliasAsync(change, cancellationToken);
            Dead |= DieAfterAliasMove;
            return entry;
        }

        public override ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return base.SetTagAsync(modelName, version, key, value, actor, cancellationToken);
        }

        public ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return InnerRegistry.GetService<IRunJournal>()!.AppendAsync(entry, cancellationToken);
        }

        public IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, CancellationToken cancellationToken = default) => InnerRegistry.GetService<IRunJournal>()!.ReadRunAsync(runId, cancellationToken);

        public IAsyncEnumerable<RunSummary> ListRunsAsync(string modelName, CancellationToken cancellationToken = default) => InnerRegistry.GetService<IRunJournal>()!.ListRunsAsync(modelName, cancellationToken);

        public ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return InnerRegistry.GetService<IRunJournal>()!.SaveCheckpointAsync(runId, name, content, cancellationToken);
        }

        public ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default) => InnerRegistry.GetService<IRunJournal>()!.ReadCheckpointAsync(runId, name, cancellationToken);

        public ValueTask<RunClaim> ClaimRunAsync(RunClaim claim, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return InnerRegistry.GetService<IRunJournal>()!.ClaimRunAsync(claim, cancellationToken);
        }

        public ValueTask<RunClaim?> GetClaimAsync(string runId, CancellationToken cancellationToken = default) => InnerRegistry.GetService<IRunJournal>()!.GetClaimAsync(runId, cancellationToken);

        public ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
        {
            ThrowIfDead();
            return InnerRegistry.GetService<IRunJournal>()!.DeleteCheckpointsAsync(runId, cancellationToken);
        }

        private void ThrowIfDead()
        {
            if (Dead)
            {
                throw new ModelRegistryException("the process is gone");
            }
        }
    }
}
