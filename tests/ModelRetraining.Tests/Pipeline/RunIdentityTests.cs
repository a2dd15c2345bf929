namespace ModelRetraining.Tests;

/// <summary>Run ids: unique per model, checked like names (they name report folders), and claimed, so that one attempt of a run runs at a time.</summary>
public class RunIdentityTests
{
    [Fact]
    public async Task ReusedRunId_IsRefused_AndTheEarlierRunIsUntouched()
    {
        var fixture = new PipelineFixture();
        var first = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "run-1" });
        Assert.Equal(RetrainingRunStatus.Succeeded, first.Status);
        var journal = await fixture.JournalAsync("run-1");
        var before = await fixture.StateAsync();

        var error = await Assert.ThrowsAsync<RunClaimedException>(async () => await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "run-1" }));

        Assert.Contains("'run-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unique", error.Message, StringComparison.Ordinal);
        Assert.Equal(journal.Count, (await fixture.JournalAsync("run-1")).Count);
        Assert.Equal(before, await fixture.StateAsync());
    }

    [Fact]
    public async Task ReusedRunId_OfARunJournaledBeforeClaims_IsRefusedToo()
    {
        var fixture = new PipelineFixture();
        var journal = fixture.Registry.GetService<IRunJournal>()!;
        await journal.AppendAsync(new RunJournalEntry("old-run", "churn", RetrainingStage.Queued, RunJournalStatus.Started, DateTimeOffset.UnixEpoch));

        await Assert.ThrowsAsync<RunClaimedException>(async () => await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "old-run" }));

        Assert.Single(await fixture.JournalAsync("old-run"));
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("/etc/cron.d/x")]
    [InlineData("run\n2")]
    [InlineData("run\u00002")]
    [InlineData("run.")]
    public async Task RunId_ThatIsNotAName_IsRefusedBeforeAnythingIsWritten(string runId)
    {
        var fixture = new PipelineFixture();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = runId }));
        Assert.Contains("run id", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.JournalAsync(runId));
        await Assert.ThrowsAsync<ArgumentException>(async () => await fixture.Builder().Build().ResumeAsync(runId));
    }

    [Fact]
    public async Task RunId_OfThreeHundredCharacters_IsRefusedUpFront()
    {
        var fixture = new PipelineFixture();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = new string('r', 300) }));
        Assert.Contains("300 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actor_WithALineBreak_IsRefused()
    {
        var fixture = new PipelineFixture();
        await Assert.ThrowsAsync<ArgumentException>(async () => await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { Actor = "alice\nINFO run approved" }));
        Assert.Equal(0, (await fixture.StateAsync()).AuditEvents);
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("/tmp/elsewhere")]
    [InlineData("a/../../b")]
    public void ReportFolder_RunIdEscapingTheFolder_IsRefused(string runId)
    {
        var root = TestData.TempFolder();
        Assert.Throws<ArgumentException>(() => ReportPaths.RunFolder(root, runId));
        Assert.False(Directory.Exists(Path.Combine(root, "..", "x")));
        Assert.Equal(Path.Combine(Path.GetFullPath(root), "run-1"), ReportPaths.RunFolder(root, "run-1"));
    }

    [Fact]
    public async Task SecondResumerOfTheSameRun_WhileAnotherLiveProcessHoldsIt_IsRefusedNamingTheHolder()
    {
        var fixture = new PipelineFixture();
        var journal = fixture.Registry.GetService<IRunJournal>()!;
        await journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Queued, RunJournalStatus.Started, DateTimeOffset.UnixEpoch));
        await journal.ClaimRunAsync(new RunClaim("r2", "churn", 1, "dead node", DateTimeOffset.UnixEpoch));

        // Another process on this machine resumed the run a moment ago and is still alive.
        using var other = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "60"))!;
        try
        {
            var holder = $"{Environment.MachineName} pid {other.Id} started {other.StartTime.ToUniversalTime().Ticks} pipeline 0badc0de";
            await journal.ClaimRunAsync(new RunClaim("r2", "churn", 2, holder, DateTimeOffset.UnixEpoch.AddMinutes(1)));

            var error = await Assert.ThrowsAsync<RunClaimedException>(async () => await fixture.Builder().Build().ResumeAsync("r2"));

            Assert.Contains($"pid {other.Id}", error.Message, StringComparison.Ordinal);
            Assert.Single(await fixture.JournalAsync("r2"));
            Assert.Equal("", (await fixture.StateAsync()).Versions);
        }
        finally
        {
            other.Kill();
            await other.WaitForExitAsync();
        }

        // Once that process is gone, its claim no longer holds the run: a resume takes the next attempt.
        var resumed = await fixture.Builder().Build().ResumeAsync("r2");
        Assert.Equal(RetrainingRunStatus.Succeeded, resumed.Status);
        Assert.Equal(3, (await journal.GetClaimAsync("r2"))?.Attempt);
    }

    [Fact]
    public async Task AttemptWhoseClaimWasTakenOver_StopsBeforeItsNextStage_AndWritesNothingMore()
    {
        var fixture = new PipelineFixture();
        var journal = fixture.Registry.GetService<IRunJournal>()!;
        var progress = new SyncProgress(p =>
        {
            if (p.Stage == RetrainingStage.Training && p.Fraction == 0)
            {
                // This process stalls here; another node decides it is dead and resumes the run.
                journal.ClaimRunAsync(new RunClaim("r1", "churn", 2, "node-b", DateTimeOffset.UnixEpoch)).AsTask().GetAwaiter().GetResult();
            }
        });

        var result = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "r1", Progress = progress });

        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Contains("taken over by node-b", result.Reasons[0], StringComparison.Ordinal);
        Assert.Equal("", (await fixture.StateAsync()).Versions);
        var entries = await fixture.JournalAsync("r1");
        Assert.DoesNotContain(entries, e => e.Status is RunJournalStatus.Failed or RunJournalStatus.Succeeded);
        Assert.Contains(entries, e => e.Stage == RetrainingStage.Training && e.Status == RunJournalStatus.Completed);
        Assert.DoesNotContain(entries, e => e.Stage == RetrainingStage.Evaluating);
    }

    [Fact]
    public async Task AttemptWhoseClaimIsTakenOverMidTraining_StopsAtOnce_NotAtTheEndOfTheStage()
    {
        var fixture = new PipelineFixture();
        var journal = fixture.Registry.GetService<IRunJournal>()!;
        using var training = new ManualResetEventSlim();
        var train = fixture.Trainer.OnTrain;
        fixture.Trainer.OnTrain = (data, context, ct) =>
        {
            training.Set();
            ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(60)); // an hour-long training, cancellable
            ct.ThrowIfCancellationRequested();
            return train(data, context, ct);
        };
        var pipeline = fixture.Builder().Configure(o => o.RunLease = TimeSpan.FromSeconds(1)).Build();
        var running = Task.Run(async () => await pipeline.RunAsync(new RetrainingRunOptions { RunId = "r1" })); // the fake trainer blocks its thread
        Assert.True(training.Wait(TimeSpan.FromSeconds(30)));

        // Another machine decided this node was dead and resumed the run.
        await journal.ClaimRunAsync(new RunClaim("r1", "churn", 2, "node-b", DateTimeOffset.UtcNow));
        var result = await running.WaitAsync(TimeSpan.FromSeconds(30)); // the renewal (every 250 ms) sees it, not the end of training

        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Contains("taken over by node-b", result.Reasons[0], StringComparison.Ordinal);
        Assert.Equal("", (await fixture.StateAsync()).Versions);
        var entries = await fixture.JournalAsync("r1");
        Assert.DoesNotContain(entries, e => e.Status is RunJournalStatus.Failed or RunJournalStatus.Cancelled or RunJournalStatus.Succeeded);
        Assert.DoesNotContain(entries, e => e.Stage == RetrainingStage.Training && e.Status == RunJournalStatus.Completed);
    }

    [Fact]
    public async Task AttemptThatCannotRenewItsClaimForAWholeLease_StopsWithoutWriting()
    {
        var fixture = new PipelineFixture();
        var journal = new UnrenewableJournal(fixture.Registry.GetService<IRunJournal>()!);
        using var training = new ManualResetEventSlim();
        var train = fixture.Trainer.OnTrain;
        fixture.Trainer.OnTrain = (data, context, ct) =>
        {
            training.Set();
            ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
            ct.ThrowIfCancellationRequested();
            return train(data, context, ct);
        };

        var result = await fixture.Builder().UseRunJournal(journal).Configure(o => o.RunLease = TimeSpan.FromSeconds(1)).Build()
            .RunAsync(new RetrainingRunOptions { RunId = "r1" }).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(training.IsSet);
        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Contains("could not be renewed", result.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("database unreachable", result.Reasons[0], StringComparison.Ordinal);
        Assert.Equal("", (await fixture.StateAsync()).Versions);
        Assert.DoesNotContain(await fixture.JournalAsync("r1"), e => e.Status is RunJournalStatus.Failed or RunJournalStatus.Succeeded);
    }

    [Fact]
    public async Task RunHeldByAnotherMachine_IsResumedOnlyOnceItsClaimIsOlderThanTheLease()
    {
        var fixture = new PipelineFixture();
        var journal = fixture.Registry.GetService<IRunJournal>()!;
        var now = DateTimeOffset.UtcNow;
        await journal.AppendAsync(new RunJournalEntry("r3", "churn", RetrainingStage.Queued, RunJournalStatus.Started, now.AddMinutes(-5)));
        const string Elsewhere = "gpu-node-7 pid 4242 started 1 pipeline 0badc0de";
        await journal.ClaimRunAsync(new RunClaim("r3", "churn", 1, Elsewhere, now.AddMinutes(-5)));
        Assert.True(await journal.RenewClaimAsync(new RunClaim("r3", "churn", 1, Elsewhere, now))); // it is alive: it renewed just now

        var error = await Assert.ThrowsAsync<RunClaimedException>(async () => await fixture.Builder().Build().ResumeAsync("r3"));
        Assert.Contains("gpu-node-7", error.Message, StringComparison.Ordinal);
        Assert.Single(await fixture.JournalAsync("r3"));

        // Its renewals stop (the node died): after the lease, the run is another's to resume.
        Assert.True(await journal.RenewClaimAsync(new RunClaim("r3", "churn", 1, Elsewhere, now.AddSeconds(-61))));
        var resumed = await fixture.Builder().Build().ResumeAsync("r3");
        Assert.Equal(RetrainingRunStatus.Succeeded, resumed.Status);
        Assert.Equal(2, (await journal.GetClaimAsync("r3"))?.Attempt);
    }

    private sealed class UnrenewableJournal(IRunJournal inner) : DelegatingRunJournal(inner)
    {
        public override ValueTask<bool> RenewClaimAsync(RunClaim claim, CancellationToken cancellationToken = default)
            => throw new IOException("database unreachable");
    }

    private sealed class SyncProgress(Action<RetrainingProgress> report) : IProgress<RetrainingProgress>
    {
        public void Report(RetrainingProgress value) => report(value);
    }
}
