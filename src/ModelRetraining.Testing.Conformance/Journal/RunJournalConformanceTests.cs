using Xunit;

namespace ModelRetraining.Testing.Conformance;

/// <summary>The run journal: entries per run in order, run summaries, status round trip, checkpoints. Derive with a parameterless constructor that passes your backend's <see cref="RegistryFixture"/>; every test is virtual, so a backend can override one (to explain a difference, say).</summary>
/// <param name="fixture">Creates the backend under test.</param>
public abstract class RunJournalConformanceTests(RegistryFixture fixture)
{
    /// <summary>Gets the fixture that creates the backend under test.</summary>
    protected RegistryFixture Fixture { get; } = fixture ?? throw new ArgumentNullException(nameof(fixture));

    /// <summary>The run journal keeps entries per run, in order.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Journal_AppendedEntries_ReadBackInOrderPerRun()
    {
        var journal = Fixture.JournalOf(Fixture.CreateRegistry());
        var at = DateTimeOffset.UnixEpoch;
        await journal.AppendAsync(new RunJournalEntry("r1", "churn", RetrainingStage.Ingesting, RunJournalStatus.Completed, at) { InputsFingerprint = "sha256:a", Outputs = "{}" });
        await journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Ingesting, RunJournalStatus.Completed, at));
        await journal.AppendAsync(new RunJournalEntry("r1", "churn", RetrainingStage.Training, RunJournalStatus.Failed, at) { Duration = TimeSpan.FromSeconds(2) });
        var entries = await ConformanceData.ToListAsync(journal.ReadRunAsync("r1"));
        Assert.Equal([RetrainingStage.Ingesting, RetrainingStage.Training], entries.Select(e => e.Stage));
        Assert.Equal("sha256:a", entries[0].InputsFingerprint);
        Assert.Equal(RunJournalStatus.Failed, entries[1].Status);
        Assert.Equal(2, entries[1].Duration.TotalSeconds, 3);
        Assert.True(entries[0].Sequence < entries[1].Sequence);
    }

    /// <summary>Runs are listed per model in the order they were first journaled, each with its latest stage and status and its attempts.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Journal_ListRuns_PerModelOldestFirstWithLatestStageAndStatus()
    {
        var journal = Fixture.JournalOf(Fixture.CreateRegistry());
        var at = DateTimeOffset.UnixEpoch;
        await journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Queued, RunJournalStatus.Started, at));
        await journal.AppendAsync(new RunJournalEntry("r1", "churn", RetrainingStage.Queued, RunJournalStatus.Started, at.AddMinutes(1)));
        await journal.AppendAsync(new RunJournalEntry("x", "fraud", RetrainingStage.Queued, RunJournalStatus.Started, at));
        await journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Training, RunJournalStatus.Failed, at.AddMinutes(2)));
        await journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Queued, RunJournalStatus.Resumed, at.AddMinutes(3)));
        await journal.AppendAsync(new RunJournalEntry("r2", "churn", RetrainingStage.Promoting, RunJournalStatus.Succeeded, at.AddMinutes(4)));

        var runs = await ConformanceData.ToListAsync(journal.ListRunsAsync("churn"));

        Assert.Equal(["r2", "r1"], runs.Select(r => r.RunId));
        Assert.Equal(new RunSummary("r2", "churn", at, at.AddMinutes(4), RetrainingStage.Promoting, RunJournalStatus.Succeeded) { Attempts = 2 }, runs[0]);
        Assert.True(runs[0].IsFinal);
        Assert.True(runs[1].IsUnfinished);
        Assert.Empty(await ConformanceData.ToListAsync(journal.ListRunsAsync("nobody")));
    }

    /// <summary>Every journal status and stage is given back as it was written.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Journal_EveryStatusAndStage_RoundTrips()
    {
        var journal = Fixture.JournalOf(Fixture.CreateRegistry());
        var statuses = Enum.GetValues<RunJournalStatus>();
        var stages = Enum.GetValues<RetrainingStage>();
        for (var i = 0; i < Math.Max(statuses.Length, stages.Length); i++)
        {
            await journal.AppendAsync(new RunJournalEntry("r", "churn", stages[i % stages.Length], statuses[i % statuses.Length], DateTimeOffset.UnixEpoch));
        }

        var entries = await ConformanceData.ToListAsync(journal.ReadRunAsync("r"));

        Assert.Equal(Enumerable.Range(0, entries.Count).Select(i => statuses[i % statuses.Length]), entries.Select(e => e.Status));
        Assert.Equal(Enumerable.Range(0, entries.Count).Select(i => stages[i % stages.Length]), entries.Select(e => e.Stage));
    }

    /// <summary>Checkpoints are kept per run, replaced by name, and deleted with the run's.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Journal_Checkpoints_SaveReplaceReadDelete()
    {
        var journal = Fixture.JournalOf(Fixture.CreateRegistry());
        Assert.Null(await journal.ReadCheckpointAsync("r1", "candidate"));
        await journal.SaveCheckpointAsync("r1", "candidate", new byte[] { 1, 2, 3 });
        await journal.SaveCheckpointAsync("r1", "candidate", new byte[] { 4, 5 });
        await journal.SaveCheckpointAsync("r2", "candidate", new byte[] { 9 });
        Assert.Equal(new byte[] { 4, 5 }, await journal.ReadCheckpointAsync("r1", "candidate"));
        await journal.DeleteCheckpointsAsync("r1");
        Assert.Null(await journal.ReadCheckpointAsync("r1", "candidate"));
        Assert.Equal(new byte[] { 9 }, await journal.ReadCheckpointAsync("r2", "candidate"));
    }

    /// <summary>Claims: the first claimant of an attempt wins, a second one of the same attempt (or an earlier one) is refused naming the holder, a later attempt takes over.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claims_SameAttemptTwice_SecondIsRefusedNamingTheHolder()
    {
        var journal = Fixture.JournalOf(Fixture.CreateRegistry());
        var at = DateTimeOffset.UnixEpoch;
        Assert.Null(await journal.GetClaimAsync("r1"));
        await journal.ClaimRunAsync(new RunClaim("r1", "churn", 1, "node-a", at));

        var reused = await Assert.ThrowsAsync<RunClaimedException>(async () => await journal.ClaimRunAsync(new RunClaim("r1", "churn", 1, "node-b", at)));
        Assert.Contains("node-a", reused.Message, StringComparison.Ordinal);
        Assert.Equal("node-a", reused.Held?.Holder);

        await journal.ClaimRunAsync(new RunClaim("r1", "churn", 2, "node-b", at.AddMinutes(1)));
        var stale = await Assert.ThrowsAsync<RunClaimedException>(async () => await journal.ClaimRunAsync(new RunClaim("r1", "churn", 2, "node-c", at.AddMinutes(2))));
        Assert.Equal(2, stale.Held?.Attempt);
        Assert.Equal("node-b", (await journal.GetClaimAsync("r1"))?.Holder);
        Assert.Null(await journal.GetClaimAsync("r2"));
    }

    /// <summary>A claim's lease is renewed only by its own attempt and holder: a renewal moves its time; a superseded attempt's renewal is refused and changes nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claims_RenewedByTheirHolder_RefusedToASupersededAttempt()
    {
        var journal = Fixture.JournalOf(Fixture.CreateRegistry());
        var at = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        await journal.ClaimRunAsync(new RunClaim("r1", "churn", 1, "node-a", at));

        Assert.True(await journal.RenewClaimAsync(new RunClaim("r1", "churn", 1, "node-a", at.AddSeconds(15))));
        Assert.Equal(at.AddSeconds(15), (await journal.GetClaimAsync("r1"))?.At);
        Assert.False(await journal.RenewClaimAsync(new RunClaim("r1", "churn", 1, "node-b", at.AddSeconds(20))));

        await journal.ClaimRunAsync(new RunClaim("r1", "churn", 2, "node-b", at.AddSeconds(30)));
        Assert.False(await journal.RenewClaimAsync(new RunClaim("r1", "churn", 1, "node-a", at.AddSeconds(45))));
        var held = await journal.GetClaimAsync("r1");
        Assert.Equal((2, "node-b", at.AddSeconds(30)), (held!.Attempt, held.Holder, held.At));
        Assert.False(await journal.RenewClaimAsync(new RunClaim("never-claimed", "churn", 1, "node-a", at)));
    }

    /// <summary>Many claimants of one attempt at once: exactly one wins.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Claims_ManyAtOnce_ExactlyOneWins()
    {
        var journal = Fixture.JournalOf(Fixture.CreateRegistry());
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await journal.ClaimRunAsync(new RunClaim("r1", "churn", 2, $"node-{i}", DateTimeOffset.UnixEpoch));
                return true;
            }
            catch (RunClaimedException)
            {
                return false;
            }
        })));

        Assert.Single(outcomes, won => won);
    }
}
