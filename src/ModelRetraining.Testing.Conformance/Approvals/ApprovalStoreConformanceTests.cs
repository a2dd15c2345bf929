using Xunit;

namespace ModelRetraining.Testing.Conformance;

/// <summary>Approval requests: stored whole, updated only from the revision read (two approvers never overwrite each other), listed while open, found by the version they would promote. Derive with a parameterless constructor that passes your backend's <see cref="RegistryFixture"/>.</summary>
/// <param name="fixture">Creates the backend under test.</param>
public abstract class ApprovalStoreConformanceTests(RegistryFixture fixture)
{
    /// <summary>Gets the fixture that creates the backend under test.</summary>
    protected RegistryFixture Fixture { get; } = fixture ?? throw new ArgumentNullException(nameof(fixture));

    /// <summary>A created request reads back whole, at revision 1.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Create_ThenGet_ReadsBackEveryFieldAtRevisionOne()
    {
        var store = Fixture.ApprovalsOf(Fixture.CreateRegistry());
        var request = Request("r1", 2) with { Quorum = 2, Deadline = DateTimeOffset.UnixEpoch.AddDays(1), EscalateOnExpiry = true };

        var created = await store.CreateAsync(request);
        var read = await store.GetAsync("r1");

        Assert.Equal(1, created.Revision);
        Assert.NotNull(read);
        Assert.Equal((request.ModelName, request.Version, request.ExpectedChampion, request.Quorum, request.Deadline, request.EscalateOnExpiry, request.FourEyes, 1L), (read.ModelName, read.Version, read.ExpectedChampion, read.Quorum, read.Deadline, read.EscalateOnExpiry, read.FourEyes, read.Revision));
        Assert.Null(await store.GetAsync("nobody"));
    }

    /// <summary>A second request of the same id is refused and the first is kept.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Create_SameIdTwice_IsRefusedKeepingTheFirst()
    {
        var store = Fixture.ApprovalsOf(Fixture.CreateRegistry());
        await store.CreateAsync(Request("r1", 2));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.CreateAsync(Request("r1", 3)));

        Assert.Equal(2, (await store.GetAsync("r1"))!.Version);
    }

    /// <summary>An update from a stale revision is refused: of two approvers who read revision 1, only the first writes.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Update_FromAStaleRevision_IsRefusedAndTheFirstUpdateStays()
    {
        var store = Fixture.ApprovalsOf(Fixture.CreateRegistry());
        var created = await store.CreateAsync(Request("r1", 2));
        var first = await store.UpdateAsync(created with { Votes = [new ApprovalVote("alice", true, "fine", DateTimeOffset.UnixEpoch)] }, created.Revision);

        await Assert.ThrowsAsync<ModelRegistryException>(async () => await store.UpdateAsync(created with { Votes = [new ApprovalVote("bob", true, "fine", DateTimeOffset.UnixEpoch)] }, created.Revision));

        var read = await store.GetAsync("r1");
        Assert.Equal(2, first.Revision);
        Assert.Equal(["alice"], read!.Votes.Select(v => v.Identity));
    }

    /// <summary>Only pending and escalated requests are open.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ListOpen_ListsPendingAndEscalatedOnly()
    {
        var store = Fixture.ApprovalsOf(Fixture.CreateRegistry());
        await store.CreateAsync(Request("a", 1));
        var escalated = await store.CreateAsync(Request("b", 2));
        await store.UpdateAsync(escalated with { Status = ApprovalStatus.Escalated }, escalated.Revision);
        var decided = await store.CreateAsync(Request("c", 3));
        await store.UpdateAsync(decided with { Status = ApprovalStatus.Approved }, decided.Revision);

        var open = await ConformanceData.ToListAsync(store.ListOpenAsync());

        Assert.Equal(["a", "b"], open.Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    /// <summary>A request is found by the model and version it would promote; the latest one when a version was asked about twice.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task GetByVersion_FindsTheLatestRequestForThatVersion()
    {
        var store = Fixture.ApprovalsOf(Fixture.CreateRegistry());
        await store.CreateAsync(Request("old", 2));
        await store.CreateAsync(Request("new", 2) with { RequestedAt = DateTimeOffset.UnixEpoch.AddHours(1) });
        await store.CreateAsync(Request("other", 3));

        Assert.Equal("new", (await store.GetByVersionAsync("churn", 2))?.Id);
        Assert.Equal("other", (await store.GetByVersionAsync("churn", 3))?.Id);
        Assert.Null(await store.GetByVersionAsync("churn", 9));
        Assert.Null(await store.GetByVersionAsync("fraud", 2));
    }

    private static ApprovalRequest Request(string id, int version) => new(id, "churn", version, version - 1, "alice", DateTimeOffset.UnixEpoch);
}
