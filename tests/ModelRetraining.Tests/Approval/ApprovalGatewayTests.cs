using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ModelRetraining.Tests;

public class ApprovalGatewayTests
{
    private static async Task<(PipelineFixture Fixture, FakeTimeProvider Time, RetrainingRunResult Result)> PendingAsync(Action<ApprovalPolicy>? policy = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));
        var fixture = new PipelineFixture(time);
        await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { Actor = "alice" });
        var builder = fixture.Builder(g => g.NoWorseThanChampion("AUC", 0.01).RequireApproval());
        if (policy is not null)
        {
            builder.UseApprovalPolicy(policy);
        }

        var result = await builder.Build().RunAsync(new RetrainingRunOptions { Actor = "alice", RunId = "run-2" });
        return (fixture, time, result);
    }

    private static async Task<List<AuditEvent>> AuditAsync(IModelRegistry registry)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in registry.GetAuditEventsAsync("churn"))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task RequireApproval_ParksTheRunAndHoldsNoThread()
    {
        var (fixture, _, result) = await PendingAsync();
        Assert.Equal(RetrainingRunStatus.AwaitingApproval, result.Status);
        var request = await fixture.Registry.GetService<IApprovalStore>()!.GetAsync("run-2");
        Assert.NotNull(request);
        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.Equal(2, request.Version);
        Assert.Equal(1, request.ExpectedChampion);
        Assert.Equal("alice", request.RequestedBy);
        Assert.Equal(1, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        Assert.Contains(await AuditAsync(fixture.Registry), a => a.Action == "tag.set" && a.To!.StartsWith("requested: quorum 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARunAskingForApproval_JournalsWhetherTheWayBackWorks_ForTheApprovers()
    {
        var (fixture, _, _) = await PendingAsync();

        var waiting = Assert.Single(await fixture.JournalAsync("run-2"), e => e.Status == RunJournalStatus.AwaitingApproval);
        using var outputs = System.Text.Json.JsonDocument.Parse(waiting.Outputs!);
        var rollback = outputs.RootElement.GetProperty("rollback");
        Assert.Equal(1, rollback.GetProperty("target").GetInt32());
        Assert.True(rollback.GetProperty("verified").GetBoolean());
        Assert.False(rollback.TryGetProperty("problem", out _)); // none: null is not written
    }

    [Fact]
    public async Task Quorum_NeedsDistinctApprovers_ThenPromotesWithTheirNames()
    {
        var (fixture, time, _) = await PendingAsync(p => p.Quorum = 2);
        var gateway = new ApprovalGateway(fixture.Registry, time);

        var first = await gateway.ApproveAsync("run-2", "bob", "metrics look right");
        Assert.Equal(ApprovalStatus.Pending, first.Status);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await gateway.ApproveAsync("run-2", "bob", "again"));
        Assert.Equal(1, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);

        var second = await gateway.ApproveAsync("run-2", "carol", "ok");
        Assert.Equal(ApprovalStatus.Approved, second.Status);
        Assert.Equal(2, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        var audit = await AuditAsync(fixture.Registry);
        Assert.Contains(audit, a => a.Action == "alias.moved" && a.To == "v2" && a.Actor == "carol" && a.Reason!.Contains("bob, carol", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Actor == "bob" && a.To == "approved 1/2 by bob: metrics look right");
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await gateway.ApproveAsync("run-2", "dave", "late"));
    }

    [Fact]
    public async Task FourEyes_TheRunsStarterMayNotApprove()
    {
        var (fixture, time, _) = await PendingAsync();
        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(async () => await new ApprovalGateway(fixture.Registry, time).ApproveAsync("run-2", "alice", "mine"));
        Assert.Contains("four-eyes", error.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Pending, (await fixture.Registry.GetService<IApprovalStore>()!.GetAsync("run-2"))!.Status);
    }

    [Fact]
    public async Task AuthorizationHook_RefusesUnauthorizedIdentities()
    {
        var (fixture, time, _) = await PendingAsync();
        var gateway = new ApprovalGateway(fixture.Registry, time, (request, identity) => identity.EndsWith("@risk", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(async () => await gateway.ApproveAsync("run-2", "mallory", "let me"));
        Assert.Contains("'mallory' is not authorized to decide on churn v2", error.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Approved, (await gateway.ApproveAsync("run-2", "bob@risk", "checked")).Status);
    }

    [Fact]
    public async Task Reject_KeepsTheChampionAndRecordsWhy()
    {
        var (fixture, time, _) = await PendingAsync();
        var gateway = new ApprovalGateway(fixture.Registry, time);
        var rejected = await gateway.RejectAsync("run-2", "bob", "slice DE dropped");
        Assert.Equal(ApprovalStatus.Rejected, rejected.Status);
        Assert.Equal(1, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        Assert.Equal("rejected", (await fixture.Registry.GetVersionAsync("churn", 2))!.Tags["decision"]);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await gateway.ApproveAsync("run-2", "carol", "too late"));
    }

    [Fact]
    public async Task Deadline_RejectsAfterExpiry_AndRefusesLateApprovals()
    {
        var (fixture, time, _) = await PendingAsync(p => p.Deadline = TimeSpan.FromHours(24));
        var gateway = new ApprovalGateway(fixture.Registry, time);
        time.Advance(TimeSpan.FromHours(25));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await gateway.ApproveAsync("run-2", "bob", "sorry, late"));
        Assert.Contains("already expired", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        Assert.Contains(await AuditAsync(fixture.Registry), a => a.Actor == "approval-deadline" && a.To!.StartsWith("expired at", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deadline_WithEscalation_KeepsTheRequestOpen()
    {
        var (fixture, time, _) = await PendingAsync(p =>
        {
            p.Deadline = TimeSpan.FromHours(1);
            p.EscalateOnExpiry = true;
        });
        var gateway = new ApprovalGateway(fixture.Registry, time);
        time.Advance(TimeSpan.FromHours(2));
        var changed = await gateway.ExpireDueAsync();
        Assert.Equal(ApprovalStatus.Escalated, Assert.Single(changed).Status);
        Assert.Equal(ApprovalStatus.Approved, (await gateway.ApproveAsync("run-2", "head-of-risk", "escalated and approved")).Status);
    }

    [Fact]
    public async Task UnknownRequest_IsNamed()
    {
        var (fixture, time, _) = await PendingAsync();
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(async () => await new ApprovalGateway(fixture.Registry, time).ApproveAsync("run-9", "bob", "?"));
        Assert.Contains("'run-9'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqliteRegistry_KeepsRequestsAcrossRestarts()
    {
        var folder = TestData.TempFolder();
        var registry = ModelRegistry.Embedded(folder);
        var v1 = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 1 }), "alice"));
        await ApprovalGateway.OpenAsync(registry, registry.GetService<IApprovalStore>()!, new ApprovalRequest("r1", "churn", v1.Version, null, "alice", DateTimeOffset.UnixEpoch), CancellationToken.None);

        var reopened = ModelRegistry.Embedded(folder);
        Assert.Equal(ApprovalStatus.Approved, (await new ApprovalGateway(reopened).ApproveAsync("r1", "bob", "fine")).Status);
        Assert.Equal(1, (await reopened.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        await Assert.ThrowsAsync<ModelRegistryException>(async () => await reopened.GetService<IApprovalStore>()!.UpdateAsync((await reopened.GetService<IApprovalStore>()!.GetAsync("r1"))!, expectedRevision: 1));
    }

    [Fact]
    public void Policy_InvalidSettings_AreAllReported()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().UseApprovalPolicy(p =>
        {
            p.Quorum = 0;
            p.Deadline = TimeSpan.FromHours(-1);
        }));
        Assert.Equal(2, error.Failures.Count());
    }
}
