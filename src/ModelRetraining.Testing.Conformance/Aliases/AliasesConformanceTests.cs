using System.Text;
using Xunit;

namespace ModelRetraining.Testing.Conformance;

/// <summary>Aliases: optimistic moves, racing promotions, rollback, history and audit. Derive with a parameterless constructor that passes your backend's <see cref="RegistryFixture"/>; every test is virtual, so a backend can override one (to explain a difference, say).</summary>
/// <param name="fixture">Creates the backend under test.</param>
public abstract class AliasesConformanceTests(RegistryFixture fixture)
{
    /// <summary>Gets the fixture that creates the backend under test.</summary>
    protected RegistryFixture Fixture { get; } = fixture ?? throw new ArgumentNullException(nameof(fixture));

    /// <summary>An alias set for the first time expects no current version, and records history and audit.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task SetAlias_FirstTime_PointsAliasAndRecordsHistoryAndAudit()
    {
        var registry = Fixture.CreateRegistry();
        var v1 = await ConformanceData.RegisterAsync(registry);
        var entry = await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first model"));
        Assert.Null(entry.FromVersion);
        Assert.Equal(1, entry.ToVersion);
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        var history = await ConformanceData.ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion));
        var only = Assert.Single(history);
        Assert.Equal("alice", only.Actor);
        Assert.Equal("first model", only.Reason);
        var audit = await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn"));
        Assert.Contains(audit, a => a.Action == "alias.moved" && a.Subject == ModelAliases.Champion && a.To == "v1" && a.From is null && a.Actor == "alice" && a.Reason == "first model");
        Assert.Contains(audit, a => a.Action == "version.registered" && a.Subject == "v1");
        Assert.Null(await registry.GetAliasAsync("churn", "staging"));
    }

    /// <summary>A move that names the wrong current version fails and changes nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task SetAlias_WrongExpectedVersion_ThrowsConflictAndChangesNothing()
    {
        var registry = Fixture.CreateRegistry();
        var v1 = await ConformanceData.RegisterAsync(registry);
        var v2 = await ConformanceData.RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));
        var conflict = await Assert.ThrowsAsync<AliasConflictException>(async () =>
            await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v2.Version, null, "bob", "stale")));
        Assert.Equal(1, conflict.ActualVersion);
        Assert.Null(conflict.ExpectedVersion);
        Assert.Contains("champion", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        Assert.Single(await ConformanceData.ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion)));
    }

    /// <summary>An alias cannot point at a version that does not exist.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task SetAlias_UnknownVersion_ThrowsAndChangesNothing()
    {
        var registry = Fixture.CreateRegistry();
        await ConformanceData.RegisterAsync(registry);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 7, null, "alice", "typo")));
        Assert.Null(await registry.GetAliasAsync("churn", ModelAliases.Champion));
        Assert.Empty(await ConformanceData.ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion)));
    }

    /// <summary>Of many racing promotions from the same expected version, exactly one wins.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task SetAlias_ManyConcurrentPromotions_ExactlyOneWins()
    {
        var registry = Fixture.CreateRegistry();
        var v1 = await ConformanceData.RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "setup", "first"));
        var candidates = new List<ModelVersion>();
        for (var i = 0; i < 16; i++)
        {
            candidates.Add(await ConformanceData.RegisterAsync(registry));
        }

        using var start = new ManualResetEventSlim();
        var attempts = candidates.Select(candidate => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, candidate.Version, v1.Version, $"runner-{candidate.Version}", "race"));
                return candidate.Version;
            }
            catch (AliasConflictException)
            {
                return 0;
            }
        })).ToArray();
        start.Set();
        var outcomes = await Task.WhenAll(attempts);

        var winner = Assert.Single(outcomes, o => o != 0);
        Assert.Equal(winner, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        var history = await ConformanceData.ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion));
        Assert.Equal(2, history.Count);
        Assert.Equal(v1.Version, history[1].FromVersion);
        Assert.Equal(winner, history[1].ToVersion);
    }

    /// <summary>Rollback moves the champion back to the previous champion and records who and why.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Rollback_AfterPromotion_RestoresPreviousChampionWithReason()
    {
        var registry = Fixture.CreateRegistry();
        var v1 = await ConformanceData.RegisterAsync(registry);
        var v2 = await ConformanceData.RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v2.Version, v1.Version, "alice", "better"));

        var entry = await registry.RollbackAsync(new RollbackRequest("churn", v2.Version, "oncall", "error rate up"));

        Assert.Equal(v2.Version, entry.FromVersion);
        Assert.Equal(v1.Version, entry.ToVersion);
        Assert.Equal(v1.Version, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        var history = await ConformanceData.ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion));
        Assert.Equal([(int?)1, 2, 1], history.Select(h => h.ToVersion));
        Assert.Equal("error rate up", history[^1].Reason);
        Assert.Equal("oncall", history[^1].Actor);
        var audit = await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn"));
        Assert.Contains(audit, a => a.Action == "alias.rollback" && a.From == "v2" && a.To == "v1" && a.Actor == "oncall" && a.Reason == "error rate up");
    }

    /// <summary>A rollback with nothing to go back to fails and changes nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Rollback_WithoutPreviousChampion_ThrowsAndChangesNothing()
    {
        var registry = Fixture.CreateRegistry();
        var v1 = await ConformanceData.RegisterAsync(registry);
        await Assert.ThrowsAnyAsync<Exception>(async () => await registry.RollbackAsync(new RollbackRequest("churn", v1.Version, "oncall", "nothing yet")));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await registry.RollbackAsync(new RollbackRequest("churn", v1.Version, "oncall", "only one")));
        Assert.Contains("no earlier version", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    /// <summary>A model's aliases are listed with the versions they point at; a model without aliases lists none.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task ListAliases_AfterMoves_ListsEachAliasAtItsVersion()
    {
        var registry = Fixture.CreateRegistry();
        await ConformanceData.RegisterAsync(registry);
        await ConformanceData.RegisterAsync(registry);
        await ConformanceData.RegisterAsync(registry, "fraud");
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 1, null, "alice", "first"));
        await registry.SetAliasAsync(new AliasChange("churn", "challenger", 2, null, "alice", "try it"));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 2, 1, "alice", "better"));

        var aliases = await ConformanceData.ToListAsync(registry.ListAliasesAsync("churn"));

        Assert.Equal([new AliasAssignment("churn", ModelAliases.Champion, 2), new AliasAssignment("churn", "challenger", 2)], aliases.OrderBy(a => a.Alias == "challenger"));
        Assert.Empty(await ConformanceData.ToListAsync(registry.ListAliasesAsync("fraud")));
    }

    /// <summary>A move through the registry is told to listeners after it committed, and only then; a refused move is not told.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task AliasMoves_CommittedMovesAndRollbacks_AreToldToListeners()
    {
        var registry = Fixture.CreateRegistry();
        if (registry.GetService<IAliasMoveSource>() is not { } source)
        {
            return; // a backend that tells no one of moves (servers poll it) has nothing to check here
        }

        var told = new List<(AliasHistoryEntry Entry, int? SeenAt)>();
        source.AliasMoved += (_, e) => told.Add((e.Entry, registry.GetAliasAsync(e.Entry.ModelName, e.Entry.Alias).AsTask().GetAwaiter().GetResult()?.Version));
        await ConformanceData.RegisterAsync(registry);
        await ConformanceData.RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 1, null, "alice", "first"));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 2, 1, "alice", "better"));
        await Assert.ThrowsAsync<AliasConflictException>(async () => await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 1, 1, "bob", "stale")));
        await registry.RollbackAsync(new RollbackRequest("churn", 2, "carol", "worse live"));

        Assert.Equal([1, 2, 1], told.Select(t => t.Entry.ToVersion));
        Assert.Equal([1, 2, 1], told.Select(t => t.SeenAt));
        Assert.Equal("worse live", told[^1].Entry.Reason);
    }

    /// <summary>Two operators roll back the same bad release at once: one moves the alias back, the other gets a conflict and the bad version does not come back.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Rollback_TwoOperatorsAtOnce_SecondGetsConflictAndBadVersionStaysOut()
    {
        var registry = Fixture.CreateRegistry();
        await ConformanceData.RegisterAsync(registry);
        await ConformanceData.RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 1, null, "alice", "first"));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 2, 1, "alice", "release"));

        var outcomes = await Task.WhenAll(
            Task.Run(async () => await Attempt(() => registry.RollbackAsync(new RollbackRequest("churn", 2, "oncall-a", "errors up")))),
            Task.Run(async () => await Attempt(() => registry.RollbackAsync(new RollbackRequest("churn", 2, "oncall-b", "errors up")))));

        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is AliasConflictException);
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        var rollbacks = (await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn"))).Where(a => a.Action == AuditActions.AliasRolledBack).ToList();
        Assert.Single(rollbacks);

        // Done one after the other, the second names the version it saw and conflicts too.
        await Assert.ThrowsAsync<AliasConflictException>(async () => await registry.RollbackAsync(new RollbackRequest("churn", 2, "oncall-b", "errors up")));
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    /// <summary>A rollback onto a version whose artifact was damaged is refused with the reason and moves nothing; a forced one moves and is audited as forced.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Rollback_OntoDamagedVersion_IsRefusedUnlessForced()
    {
        var registry = Fixture.CreateRegistry();
        var v1 = await ConformanceData.RegisterAsync(registry);
        await ConformanceData.RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 1, null, "alice", "first"));
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 2, 1, "alice", "release"));
        await Fixture.CorruptArtifactAsync(registry, v1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await registry.RollbackAsync(new RollbackRequest("churn", 2, "oncall", "errors up")));
        Assert.Contains("v1 cannot be read intact", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        Assert.DoesNotContain(await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn")), a => a.Action == AuditActions.AliasRolledBack);

        var forced = await registry.RollbackAsync(new RollbackRequest("churn", 2, "oncall", "emergency") { Force = true });
        Assert.Equal(1, forced.ToVersion);
        Assert.Contains(await ConformanceData.ToListAsync(registry.GetAuditEventsAsync("churn")), a => a.Action == AuditActions.AliasRolledBack && a.Reason == "forced (target not verified): emergency");
    }

    /// <summary>Alias names that end in a line break or a dot, or hold control characters, are refused: "champion\n" never becomes a second champion.</summary>
    /// <param name="alias">The alias.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData("champion\n")]
    [InlineData("champion.")]
    [InlineData("champ\u0000ion")]
    [InlineData("champion\r\n")]
    public virtual async Task SetAlias_NameEndingInNewlineOrDot_IsRefused(string alias)
    {
        var registry = Fixture.CreateRegistry();
        await ConformanceData.RegisterAsync(registry);
        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.SetAliasAsync(new AliasChange("churn", alias, 1, null, "alice", "sneaky")));
        Assert.Empty(await ConformanceData.ToListAsync(registry.ListAliasesAsync("churn")));
    }

    /// <summary>An actor holding a line break (log forging) or an invisible character is refused at every write.</summary>
    /// <param name="actor">The actor.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData("alice\nINFO promoted by admin")]
    [InlineData("alice\u200b")]
    public virtual async Task Writes_ActorWithControlCharacters_AreRefused(string actor)
    {
        var registry = Fixture.CreateRegistry();
        await ConformanceData.RegisterAsync(registry);
        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 1, null, actor, "first")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.SetTagAsync("churn", 1, "note", "x", actor));
        Assert.Empty(await ConformanceData.ToListAsync(registry.ListAliasesAsync("churn")));
    }

    /// <summary>A listener that throws does not make the committed move look failed: the caller gets the move, other listeners still hear of it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task AliasMoves_ThrowingListener_DoesNotFailTheWriter()
    {
        var registry = Fixture.CreateRegistry();
        if (registry.GetService<IAliasMoveSource>() is not { } source)
        {
            return;
        }

        var told = 0;
        source.AliasMoved += (_, _) => throw new InvalidOperationException("listener bug");
        source.AliasMoved += (_, _) => told++;
        await ConformanceData.RegisterAsync(registry);

        var entry = await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 1, null, "alice", "first"));

        Assert.Equal(1, entry.ToVersion);
        Assert.Equal(1, told);
        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    private static async Task<Exception?> Attempt(Func<ValueTask<AliasHistoryEntry>> move)
    {
        try
        {
            await move();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
