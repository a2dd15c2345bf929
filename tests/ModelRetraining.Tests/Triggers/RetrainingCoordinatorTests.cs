using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ModelRetraining.Tests;

public class RetrainingCoordinatorTests
{
    private static RetrainingTrigger Drift(FakeTimeProvider time, string score) => new("drift", "data-set drift", "drift-check", time.GetUtcNow()) { Evidence = new Dictionary<string, string> { ["drifted share"] = score } };

    [Fact]
    public async Task ThreeDriftEventsAndACronTickInsideTheCooldown_StartOneRun_ThenOneFollowUpWithEveryCause()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));
        var fixture = new PipelineFixture(time);
        using var coordinator = new RetrainingCoordinator(fixture.Builder().Build(), new RetrainingCoordinatorOptions { Cooldown = TimeSpan.FromMinutes(30) }, time);

        Assert.Equal(TriggerOutcome.Started, coordinator.Trigger(Drift(time, "0.6")));
        var first = await coordinator.Runs[0];
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(TriggerOutcome.Deferred, coordinator.Trigger(Drift(time, "0.7")));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(TriggerOutcome.Deferred, coordinator.Trigger(Drift(time, "0.8")));
        Assert.Equal(TriggerOutcome.Deferred, coordinator.Trigger(new RetrainingTrigger("cron", "0 3 * * *", "quartz", time.GetUtcNow())));
        _ = Assert.Single(coordinator.Runs);

        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(2, coordinator.Runs.Count);
        var second = await coordinator.Runs[1];

        Assert.Equal(["drift"], first.Causes.Select(c => c.Kind));
        Assert.Equal(["drift", "drift", "cron"], second.Causes.Select(c => c.Kind));
        Assert.Equal("0.8", second.Causes[1].Evidence["drifted share"]);
        var journal = await fixture.JournalAsync(second.RunId);
        Assert.Equal(RunJournalStatus.Started, journal[0].Status);
        Assert.Contains("0 3 * * *", journal[0].Outputs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFiringDeliveredToTwoNodes_RunsOnce_TheSecondIsRefusedByTheJournalWithNothingWritten()
    {
        var fixture = new PipelineFixture();
        await using var nodeA = new RetrainingCoordinator(fixture.Builder().Build());
        await using var nodeB = new RetrainingCoordinator(fixture.Builder().Build());
        var firing = new RetrainingTrigger("cron", "0 3 * * *", "quartz", DateTimeOffset.UnixEpoch) { FiringId = "model-retraining.retrain-churn-cron@1796526000000" };

        nodeA.Trigger(firing);
        var ran = await nodeA.Runs[0];
        nodeB.Trigger(firing with { At = DateTimeOffset.UnixEpoch.AddSeconds(4) });
        var refused = await Assert.ThrowsAsync<RunClaimedException>(() => nodeB.Runs[0]);

        Assert.Equal(RetrainingRunStatus.Succeeded, ran.Status);
        Assert.Equal(ran.RunId, refused.Held!.RunId);
        Assert.Equal("1", (await fixture.StateAsync()).Versions);
        Assert.Single(await ConformanceRuns(fixture));
    }

    [Fact]
    public async Task AFiringThatAlreadyRan_DoesNotSwallowAManualTriggerThatCameWithIt()
    {
        var fixture = new PipelineFixture();
        await using var nodeA = new RetrainingCoordinator(fixture.Builder().Build());
        await using var nodeB = new RetrainingCoordinator(fixture.Builder().Build(), new RetrainingCoordinatorOptions { Debounce = TimeSpan.FromMilliseconds(200) });
        var firing = new RetrainingTrigger("interval", "every hour", "quartz", DateTimeOffset.UnixEpoch) { FiringId = "model-retraining.retrain-churn-interval@3600000" };
        nodeA.Trigger(firing);
        var first = await nodeA.Runs[0];

        nodeB.Trigger(firing);
        nodeB.TriggerManually("oncall", "customer complaint"); // both wait out the debounce, then go as one run
        Assert.True(SpinWait.SpinUntil(() => nodeB.Runs.Count == 1, TimeSpan.FromSeconds(30)));
        var second = await nodeB.Runs[0];

        Assert.NotEqual(first.RunId, second.RunId);
        Assert.Equal(["manual"], second.Causes.Select(c => c.Kind));
        Assert.Equal(2, (await ConformanceRuns(fixture)).Count);
    }

    [Fact]
    public async Task AFiringCoalescedWithAnotherTriggerOnOneNode_StillRunsOnceAcrossNodes()
    {
        var fixture = new PipelineFixture();
        await using var nodeA = new RetrainingCoordinator(fixture.Builder().Build(), new RetrainingCoordinatorOptions { Debounce = TimeSpan.FromMilliseconds(200) });
        await using var nodeB = new RetrainingCoordinator(fixture.Builder().Build());
        var firing = new RetrainingTrigger("cron", "0 3 * * *", "quartz", DateTimeOffset.UnixEpoch) { FiringId = "model-retraining.retrain-churn-cron@1" };

        nodeA.Trigger(firing);
        nodeA.TriggerManually("oncall", "customer complaint"); // one run on node A: the firing and the manual trigger
        Assert.True(SpinWait.SpinUntil(() => nodeA.Runs.Count == 1, TimeSpan.FromSeconds(30)));
        var ran = await nodeA.Runs[0];
        nodeB.Trigger(firing with { At = DateTimeOffset.UnixEpoch.AddSeconds(4) });

        await Assert.ThrowsAsync<RunClaimedException>(() => nodeB.Runs[0]);
        Assert.Equal(["cron", "manual"], ran.Causes.Select(c => c.Kind));
        Assert.Single(await ConformanceRuns(fixture));
    }

    [Fact]
    public async Task DifferentFirings_GetDifferentRunIds_AndTheSameFiringOfAnotherModelToo()
    {
        var fixture = new PipelineFixture();
        await using var coordinator = new RetrainingCoordinator(fixture.Builder().Build(), new RetrainingCoordinatorOptions { Cooldown = TimeSpan.FromMilliseconds(1) });
        coordinator.Trigger(new RetrainingTrigger("cron", "tick", "quartz", DateTimeOffset.UnixEpoch) { FiringId = "t@1" });
        var first = await coordinator.Runs[0];
        coordinator.Trigger(new RetrainingTrigger("cron", "tick", "quartz", DateTimeOffset.UnixEpoch) { FiringId = "t@2" });
        Assert.True(SpinWait.SpinUntil(() => coordinator.Runs.Count == 2, TimeSpan.FromSeconds(30)));
        var second = await coordinator.Runs[1];

        var other = new PipelineFixture();
        var builder = other.Builder();
        builder.ModelName = "fraud";
        await using var fraud = new RetrainingCoordinator(builder.Build());
        fraud.Trigger(new RetrainingTrigger("cron", "tick", "quartz", DateTimeOffset.UnixEpoch) { FiringId = "t@1" });
        var third = await fraud.Runs[0];

        Assert.Equal(RetrainingRunStatus.Succeeded, second.Status);
        Assert.Equal(3, new[] { first.RunId, second.RunId, third.RunId }.Distinct(StringComparer.Ordinal).Count());
        Assert.All(new[] { first.RunId, second.RunId, third.RunId }, id => Assert.Matches("^[0-9a-f]{32}$", id));
    }

    [Fact]
    public async Task TriggerDuringARun_IsCoalescedIntoOneFollowUp_NeverRunInParallel()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));
        var fixture = new PipelineFixture(time);
        using var release = new ManualResetEventSlim();
        var concurrent = 0;
        var maxConcurrent = 0;
        var defaultTrain = fixture.Trainer.OnTrain;
        fixture.Trainer.OnTrain = (data, context, token) =>
        {
            var now = Interlocked.Increment(ref concurrent);
            maxConcurrent = Math.Max(maxConcurrent, now);
            release.Wait(TimeSpan.FromSeconds(30), token);
            Interlocked.Decrement(ref concurrent);
            return defaultTrain(data, context, token);
        };
        using var coordinator = new RetrainingCoordinator(fixture.Builder().Build(), new RetrainingCoordinatorOptions { Cooldown = TimeSpan.FromMinutes(1) }, time);

        Assert.Equal(TriggerOutcome.Started, coordinator.Trigger(Drift(time, "0.6")));
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref concurrent) == 1, TimeSpan.FromSeconds(30)));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(TriggerOutcome.Coalesced, coordinator.Trigger(coordinator.Runs.Count == 1 ? Drift(time, "0.9") : throw new InvalidOperationException()));
        Assert.Equal(TriggerOutcome.Coalesced, coordinator.TriggerManually("oncall", "customer complaint"));
        release.Set();
        await coordinator.Runs[0];
        Assert.True(SpinWait.SpinUntil(() => coordinator.Runs.Count == 2, TimeSpan.FromSeconds(30)));
        var followUp = await coordinator.Runs[1];
        Assert.Equal(1, maxConcurrent);
        Assert.Equal(["drift", "manual"], followUp.Causes.Select(c => c.Kind));
        Assert.Equal("oncall", followUp.Causes[1].Actor);
    }

    [Fact]
    public async Task Debounce_WaitsForTriggersToStop_ThenRunsOnceWithAllOfThem()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));
        var fixture = new PipelineFixture(time);
        using var coordinator = new RetrainingCoordinator(fixture.Builder().Build(), new RetrainingCoordinatorOptions { Debounce = TimeSpan.FromMinutes(5) }, time);
        Assert.Equal(TriggerOutcome.Debounced, coordinator.Trigger(new RetrainingTrigger("new-data", "10,000 rows", "folder", time.GetUtcNow())));
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(TriggerOutcome.Debounced, coordinator.Trigger(new RetrainingTrigger("new-data", "12,000 rows", "folder", time.GetUtcNow())));
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.Empty(coordinator.Runs);
        time.Advance(TimeSpan.FromMinutes(3));
        var run = await Assert.Single(coordinator.Runs);
        Assert.Equal(2, run.Causes.Count);
    }

    [Fact]
    public async Task ClockJumpingBackwards_DoesNotReopenTheCooldown()
    {
        var time = new SettableTime(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));
        var fixture = new PipelineFixture(time);
        using var coordinator = new RetrainingCoordinator(fixture.Builder().Build(), new RetrainingCoordinatorOptions { Cooldown = TimeSpan.FromMinutes(30) }, time);
        coordinator.Trigger(new RetrainingTrigger("cron", "tick", "quartz", time.GetUtcNow()));
        await coordinator.Runs[0];
        time.Now = time.Now.AddHours(-2);
        Assert.Equal(TriggerOutcome.Deferred, coordinator.Trigger(new RetrainingTrigger("cron", "tick", "quartz", time.GetUtcNow())));
        _ = Assert.Single(coordinator.Runs);
    }

    [Fact]
    public void Options_ZeroOrNegativeCooldown_AreRefused()
    {
        var fixture = new PipelineFixture();
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingCoordinator(fixture.Builder().Build(), new RetrainingCoordinatorOptions { Cooldown = TimeSpan.Zero, Debounce = TimeSpan.FromSeconds(-1), Actor = " " }));
        Assert.Equal(3, error.Failures.Count());
        Assert.Throws<OptionsValidationException>(() => new RetrainingCoordinator(new PipelineFixture().Builder().Build(), new RetrainingCoordinatorOptions { Cooldown = TimeSpan.FromMinutes(-5) }));
    }

    private sealed class SettableTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task<List<RunSummary>> ConformanceRuns(PipelineFixture fixture)
    {
        var runs = new List<RunSummary>();
        await foreach (var run in fixture.Registry.GetService<IRunJournal>()!.ListRunsAsync("churn"))
        {
            runs.Add(run);
        }

        return runs;
    }
}
