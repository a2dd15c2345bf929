using Microsoft.Extensions.Time.Testing;

namespace ModelRetraining.Tests;

/// <summary>The approval games of the integrity review, each replayed on the embedded (SQLite) registry.</summary>
public class ApprovalAttackTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

    // v1 champion, v2 waiting for approval (requested by alice, expecting v1).
    private static async Task<(IModelRegistry Registry, FakeTimeProvider Time)> PendingAsync(int quorum = 1, TimeSpan? deadline = null)
    {
        var time = new FakeTimeProvider(Start);
        var registry = ModelRegistry.Embedded(TestData.TempFolder(), new EmbeddedRegistryOptions { TimeProvider = time });
        var v1 = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 1 }), "alice"));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));
        var v2 = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 2 }), "alice"));
        await ApprovalGateway.OpenAsync(
            registry,
            registry.GetService<IApprovalStore>()!,
            new ApprovalRequest("run-2", "churn", v2.Version, v1.Version, "alice", Start) { Quorum = quorum, Deadline = deadline is { } d ? Start + d : null },
            CancellationToken.None);
        return (registry, time);
    }

    private static async Task<ApprovalRequest> RequestAsync(IModelRegistry registry) => (await registry.GetService<IApprovalStore>()!.GetAsync("run-2"))!;

    private static async Task<int?> ChampionAsync(IModelRegistry registry) => (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version;

    [Theory]
    [InlineData("Bob")]
    [InlineData("bob ")]
    [InlineData(" BOB")]
    [InlineData("ｂｏｂ")] // full-width letters: NFKC makes them "bob"
    public async Task Quorum_SamePersonSpelledAnotherWay_CountsOnce(string again)
    {
        var (registry, time) = await PendingAsync(quorum: 2);
        var gateway = new ApprovalGateway(registry, time);
        await gateway.ApproveAsync("run-2", "bob", "fine");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await gateway.ApproveAsync("run-2", again, "fine again"));

        Assert.Contains("already voted", error.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Pending, (await RequestAsync(registry)).Status);
        Assert.Single((await RequestAsync(registry)).Votes);
        Assert.Equal(1, await ChampionAsync(registry));
    }

    [Theory]
    [InlineData("Alice")]
    [InlineData(" alice")]
    [InlineData("ALICE")]
    public async Task FourEyes_RequesterSpelledAnotherWay_IsStillTheRequester(string requester)
    {
        var (registry, time) = await PendingAsync();
        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(async () => await new ApprovalGateway(registry, time).ApproveAsync("run-2", requester, "mine"));
        Assert.Contains("four-eyes", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await ChampionAsync(registry));
    }

    [Theory]
    [InlineData("alice\u200b")] // zero-width space
    [InlineData("al\u00adice")] // soft hyphen
    [InlineData("bob\nINFO approved by admin")]
    [InlineData("\u202ebob")] // right-to-left override
    public async Task Identities_WithInvisibleOrControlCharacters_AreRefusedBeforeAnything(string identity)
    {
        var (registry, time) = await PendingAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await new ApprovalGateway(registry, time).ApproveAsync("run-2", identity, "sneaky"));
        Assert.Contains("control or invisible character", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
        Assert.Empty((await RequestAsync(registry)).Votes);
        Assert.Equal(1, await ChampionAsync(registry));
    }

    [Fact]
    public async Task CaseInsensitiveHostHook_DoesNotLetOnePersonCountTwice()
    {
        var (registry, time) = await PendingAsync(quorum: 2);
        var gateway = new ApprovalGateway(registry, time, (_, identity) => identity.EndsWith("@risk", StringComparison.OrdinalIgnoreCase));
        await gateway.ApproveAsync("run-2", "bob@risk", "fine");
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await gateway.ApproveAsync("run-2", "BOB@RISK", "fine again"));
        Assert.Equal(1, await ChampionAsync(registry));
    }

    [Fact]
    public async Task PrincipalHook_TwoAccountNamesOfOnePrincipal_CountOnce()
    {
        var (registry, time) = await PendingAsync(quorum: 2);
        var principals = new Dictionary<string, string> { ["bob"] = "oid-7", ["robert.smith"] = "oid-7", ["carol"] = "oid-9", ["alice"] = "oid-1" };
        var gateway = new ApprovalGateway(registry, time, principalOf: (_, identity) => principals.GetValueOrDefault(identity));
        await gateway.ApproveAsync("run-2", "bob", "fine");

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await gateway.ApproveAsync("run-2", "robert.smith", "me again"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(async () => await gateway.ApproveAsync("run-2", "mallory", "unknown to the host"));
        Assert.Equal(ApprovalStatus.Approved, (await gateway.ApproveAsync("run-2", "carol", "second person")).Status);
        Assert.Equal(2, await ChampionAsync(registry));
    }

    [Fact]
    public async Task ApproveAfterChampionMoved_StaysPendingWithConflict_AndCanBeDecidedAgain()
    {
        var (registry, time) = await PendingAsync();
        var v3 = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 3 }), "ops"));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v3.Version, 1, "ops", "hotfix"));
        var gateway = new ApprovalGateway(registry, time);

        var error = await Assert.ThrowsAsync<AliasConflictException>(async () => await gateway.ApproveAsync("run-2", "bob", "looks good"));

        Assert.Contains("pending again", error.Message, StringComparison.Ordinal);
        var request = await RequestAsync(registry);
        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.Equal(3, request.ExpectedChampion);
        Assert.Contains("from v1 to v3", request.Conflict, StringComparison.Ordinal);
        Assert.Empty(request.Votes);
        Assert.Equal(3, await ChampionAsync(registry));

        // Decided again, knowingly, against the new champion: the retry is not refused as "already approved".
        var approved = await gateway.ApproveAsync("run-2", "bob", "still better than the hotfix");
        Assert.Equal(ApprovalStatus.Approved, approved.Status);
        Assert.Null(approved.Conflict);
        Assert.Equal(2, await ChampionAsync(registry));
    }

    [Fact]
    public async Task ApprovedButNotPromoted_ARetryFinishesThePromotion()
    {
        // The state a process leaves when it dies between storing the decision and moving the alias.
        var (registry, time) = await PendingAsync();
        var store = registry.GetService<IApprovalStore>()!;
        var request = await RequestAsync(registry);
        await store.UpdateAsync(request with { Status = ApprovalStatus.Approved, Votes = [new ApprovalVote("bob", true, "ok", Start)] }, request.Revision);

        var finished = await new ApprovalGateway(registry, time).ApproveAsync("run-2", "bob", "retry");

        Assert.Equal(ApprovalStatus.Approved, finished.Status);
        Assert.Equal(2, await ChampionAsync(registry));
    }

    [Fact]
    public async Task ApproveRacingExpiryAtTheDeadline_OneWinsCleanly_TwentyTimes()
    {
        for (var trial = 0; trial < 20; trial++)
        {
            var (registry, time) = await PendingAsync(deadline: TimeSpan.FromHours(1));
            time.Advance(TimeSpan.FromHours(1));

            // Both read the pending request before either writes: the interleaving that lost the race before.
            var store = new BothReadFirstStore(registry.GetService<IApprovalStore>()!);
            var approve = Task.Run(async () =>
            {
                try
                {
                    await new ApprovalGateway(registry, time, approvals: store).ApproveAsync("run-2", "bob", "just in time?");
                    return (Exception?)null;
                }
                catch (Exception ex)
                {
                    return ex;
                }
            });
            var expire = Task.Run(async () => await new ApprovalGateway(registry, time, approvals: store).ExpireDueAsync());
            var approveError = await approve;
            await expire; // it must not throw either

            var request = await RequestAsync(registry);
            Assert.Equal(ApprovalStatus.Expired, request.Status); // the deadline had passed, whoever wrote first
            var error = Assert.IsType<InvalidOperationException>(approveError);
            Assert.Contains("already expired", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("revision", error.Message, StringComparison.Ordinal);
            Assert.Equal(1, await ChampionAsync(registry));
        }
    }

    [Fact]
    public async Task ExpireDue_AConflictOnOneRequest_DoesNotStopTheBatch()
    {
        var (registry, time) = await PendingAsync(deadline: TimeSpan.FromHours(1));
        var v3 = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 3 }), "alice"));
        var store = registry.GetService<IApprovalStore>()!;
        await ApprovalGateway.OpenAsync(registry, store, new ApprovalRequest("run-3", "churn", v3.Version, 1, "alice", Start) { Deadline = Start.AddHours(1) }, CancellationToken.None);
        time.Advance(TimeSpan.FromHours(2));

        // A store whose first listed request was changed by someone else after it was listed.
        var racing = new StaleListingStore(store);
        var changed = await new ApprovalGateway(registry, time, approvals: racing).ExpireDueAsync();

        Assert.Contains(changed, r => r.Id == "run-3" && r.Status == ApprovalStatus.Expired);
        Assert.DoesNotContain(changed, r => r.Id == "run-2");
        Assert.Equal(ApprovalStatus.Rejected, (await store.GetAsync("run-2"))!.Status);
    }

    // Holds every write until two reads (the approver's and the expiry job's) have happened, at most 5 s.
    private sealed class BothReadFirstStore(IApprovalStore inner) : DelegatingApprovalStore(inner)
    {
        private readonly TaskCompletionSource _bothRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reads;

        public override async ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
        {
            var request = await base.GetAsync(id, cancellationToken);
            Read();
            return request;
        }

        public override async IAsyncEnumerable<ApprovalRequest> ListOpenAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var open = new List<ApprovalRequest>();
            await foreach (var request in base.ListOpenAsync(cancellationToken))
            {
                open.Add(request);
            }

            Read();
            foreach (var request in open)
            {
                yield return request;
            }
        }

        public override async ValueTask<ApprovalRequest> UpdateAsync(ApprovalRequest request, long expectedRevision, CancellationToken cancellationToken = default)
        {
            await _bothRead.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            return await base.UpdateAsync(request, expectedRevision, cancellationToken);
        }

        private void Read()
        {
            if (Interlocked.Increment(ref _reads) >= 2)
            {
                _bothRead.TrySetResult();
            }
        }
    }

    // Lists the open requests, then rejects the first one behind the caller's back, as a racing approver would.
    private sealed class StaleListingStore(IApprovalStore inner) : DelegatingApprovalStore(inner)
    {
        public override async IAsyncEnumerable<ApprovalRequest> ListOpenAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var open = new List<ApprovalRequest>();
            await foreach (var request in base.ListOpenAsync(cancellationToken))
            {
                open.Add(request);
            }

            var first = open.First(r => r.Id == "run-2");
            await base.UpdateAsync(first with { Status = ApprovalStatus.Rejected, Votes = [new ApprovalVote("carol", false, "no", Start)] }, first.Revision, cancellationToken);
            foreach (var request in open.OrderBy(r => r.Id == "run-2" ? 0 : 1))
            {
                yield return request;
            }
        }
    }
}
