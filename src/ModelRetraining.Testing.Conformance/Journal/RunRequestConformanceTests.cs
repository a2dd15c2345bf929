using Xunit;

namespace ModelRetraining.Testing.Conformance;

/// <summary>Requests about runs (cancel, resume): one open per run and kind, listed per model, closed once, audited. Derive with a parameterless constructor that passes your backend's <see cref="RegistryFixture"/>.</summary>
/// <param name="fixture">Creates the backend under test.</param>
public abstract class RunRequestConformanceTests(RegistryFixture fixture)
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Gets the fixture that creates the backend under test.</summary>
    protected RegistryFixture Fixture { get; } = fixture ?? throw new ArgumentNullException(nameof(fixture));

    /// <summary>A request is stored as filed, found open by run and kind, listed for its model, and audited with the run as subject.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Request_IsStoredOpen_ListedForItsModel_AndAudited()
    {
        var registry = Fixture.CreateRegistry();
        var requests = Fixture.RequestsOf(registry);
        var filed = await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Cancel, "alice", "wrong data window", At));
        await requests.RequestAsync(new RunRequest("r2", "fraud", RunRequestKind.Resume, "bob", "transient outage", At));

        Assert.Equal(new RunRequest("r1", "churn", RunRequestKind.Cancel, "alice", "wrong data window", At), filed);
        Assert.Equal(filed, await requests.GetOpenRequestAsync("r1", RunRequestKind.Cancel));
        Assert.Null(await requests.GetOpenRequestAsync("r1", RunRequestKind.Resume));
        Assert.Equal([filed], await ConformanceData.ToListAsync(requests.ListOpenRequestsAsync("churn")));
        var audit = Assert.Single(await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn")));
        Assert.Equal((AuditActions.RunCancelRequested, "r1", "alice", "wrong data window"), (audit.Action, audit.Subject, audit.Actor, audit.Reason));
    }

    /// <summary>A second request of the same kind while one is open changes nothing and returns the open one; another kind is its own request.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task SecondRequestOfAKind_WhileOneIsOpen_ReturnsTheOpenOne_NothingChanged()
    {
        var registry = Fixture.CreateRegistry();
        var requests = Fixture.RequestsOf(registry);
        var first = await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Cancel, "alice", "first", At));

        var again = await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Cancel, "bob", "second", At.AddMinutes(1)));
        await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Resume, "bob", "resume it", At.AddMinutes(2)));

        Assert.Equal(first, again);
        Assert.Equal(2, (await ConformanceData.ToListAsync(requests.ReadRequestsAsync("r1"))).Count);
        Assert.Equal(2, (await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn"))).Count);
    }

    /// <summary>Closing records the outcome once: a second close finds nothing open; a new request may then be filed.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Close_RecordsTheOutcomeOnce_ThenANewRequestCanBeFiled()
    {
        var registry = Fixture.CreateRegistry();
        var requests = Fixture.RequestsOf(registry);
        await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Resume, "alice", "outage over", At));

        var closed = await requests.CloseRequestAsync("r1", RunRequestKind.Resume, "resumed: Succeeded", At.AddMinutes(3));
        var twice = await requests.CloseRequestAsync("r1", RunRequestKind.Resume, "resumed again", At.AddMinutes(4));
        await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Resume, "alice", "once more", At.AddMinutes(5)));

        Assert.Equal((At.AddMinutes(3), "resumed: Succeeded"), (closed!.ClosedAt, closed.Outcome));
        Assert.Null(twice);
        Assert.Empty(await ConformanceData.ToListAsync(requests.ListOpenRequestsAsync("fraud")));
        var all = await ConformanceData.ToListAsync(requests.ReadRequestsAsync("r1"));
        Assert.Equal(["outage over", "once more"], all.Select(r => r.Reason));
        Assert.Equal(["resumed: Succeeded", null], all.Select(r => r.Outcome));
        Assert.Contains(await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn")), e => e.Action == AuditActions.RunRequestClosed && e.To == "resumed: Succeeded");
    }

    /// <summary>Requests with no reason, no actor or an invalid run id are refused with nothing stored.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task BadRequests_AreRefused_NothingStored()
    {
        var registry = Fixture.CreateRegistry();
        var requests = Fixture.RequestsOf(registry);

        var noReason = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Cancel, "alice", " ", At)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await requests.RequestAsync(new RunRequest("r1", "churn", RunRequestKind.Cancel, " ", "why", At)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await requests.RequestAsync(new RunRequest("../r1", "churn", RunRequestKind.Cancel, "alice", "why", At)));

        Assert.Contains("reason", noReason.Message, StringComparison.Ordinal);
        Assert.Empty(await ConformanceData.ToListAsync(requests.ReadRequestsAsync("r1")));
        Assert.Empty(await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn")));
    }
}
