using System.Globalization;
using Microsoft.Data.Sqlite;
using static ModelRetraining.Cli.Tests.QuickStartRegistry;

namespace ModelRetraining.Cli.Tests;

/// <summary><c>mrt</c> run as a process against the quick start's registry: what it shows, what it changes, and every refusal.</summary>
public sealed class MrtTests(QuickStartRegistry quickStart) : IClassFixture<QuickStartRegistry>
{
    private static async Task<IModelRegistry> OpenAsync(string folder)
    {
        await Task.Yield();
        return ModelRegistry.Embedded(folder);
    }

    [Fact]
    public async Task ModelsList_ShowsTheChampionVersionsAndPendingApprovals_AsTableAndJson()
    {
        var (exit, table, _) = await Mrt("models", "list", "--registry", quickStart.Folder);
        Assert.Equal(0, exit);
        Assert.Contains("flight-delays", table, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", table, StringComparison.Ordinal); // redirected: no colour codes

        var (jsonExit, json, _) = await Mrt("models", "list", "--registry", quickStart.Folder, "--json");
        Assert.Equal(0, jsonExit);
        var model = Json(json).EnumerateArray().Single();
        Assert.Equal(("flight-delays", 1, 2, 1), (model.GetProperty("name").GetString(), model.GetProperty("champion").GetInt32(), model.GetProperty("versions").GetInt32(), model.GetProperty("pendingApprovals").GetInt32()));
        Assert.Equal("run-2", model.GetProperty("lastRun").GetProperty("id").GetString());
    }

    [Fact]
    public async Task VersionsShowAndDiff_HoldTheLibrarysFigures()
    {
        var registry = await OpenAsync(quickStart.Folder);
        var v1 = (await registry.GetVersionAsync("flight-delays", 1))!;
        SqliteConnection.ClearAllPools();

        var (exit, json, _) = await Mrt("versions", "show", "flight-delays", "1", "--registry", quickStart.Folder, "--json");
        Assert.Equal(0, exit);
        var shown = Json(json);
        var auc = shown.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "AUC");
        Assert.Equal(v1.Metrics["AUC"].Value, auc.GetProperty("value").GetDouble());
        Assert.Equal("HigherIsBetter", auc.GetProperty("direction").GetString());
        Assert.Equal(v1.Datasets.Select(d => d.Fingerprint), shown.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("fingerprint").GetString()));
        Assert.Equal(v1.Decision, shown.GetProperty("decision").GetString());

        var (diffExit, diff, _) = await Mrt("versions", "diff", "flight-delays", "1", "2", "--registry", quickStart.Folder, "--json");
        Assert.Equal(0, diffExit);
        Assert.Contains(Json(diff).GetProperty("metrics").EnumerateArray(), m => m.GetProperty("name").GetString() == "LogLoss");

        var (humanExit, human, _) = await Mrt("versions", "show", "flight-delays", "1", "--registry", quickStart.Folder);
        Assert.Equal(0, humanExit);
        Assert.Contains(v1.Metrics["AUC"].Value.ToString("0.######", CultureInfo.InvariantCulture), human, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsListAndShow_ReadTheJournal()
    {
        var (exit, json, _) = await Mrt("runs", "list", "flight-delays", "--registry", quickStart.Folder, "--json");
        Assert.Equal(0, exit);
        Assert.Equal(["run-1", "run-2"], Json(json).EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.All(Json(json).EnumerateArray(), r => Assert.Equal("alice", r.GetProperty("trigger").GetProperty("actor").GetString()));
        var (_, latest, _) = await Mrt("runs", "list", "flight-delays", "--last", "1", "--registry", quickStart.Folder, "--json");
        Assert.Equal(["run-2"], Json(latest).EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var (showExit, run, _) = await Mrt("runs", "show", "run-1", "--registry", quickStart.Folder, "--json");
        Assert.Equal(0, showExit);
        Assert.Contains(Json(run).GetProperty("entries").EnumerateArray(), e => e.GetProperty("stage").GetString() == "Training");
        Assert.Equal("Succeeded", Json(run).GetProperty("status").GetString());
    }

    [Fact]
    public async Task PromoteAndRollback_MoveTheAlias_WithTheActorInTheHistory_AndAStaleExpectedVersionIsAConflict()
    {
        var folder = quickStart.Copy();
        var stale = await Mrt("promote", "flight-delays", "2", "--expected", "none", "--reason", "try", "--registry", folder);
        Assert.Equal(3, stale.Exit);
        Assert.Contains("Nothing was changed", stale.Error, StringComparison.Ordinal);

        var promoted = await Mrt("promote", "flight-delays", "2", "--expected", "1", "--reason", "manual promotion", "--actor", "carol", "--registry", folder, "--json");
        Assert.Equal(0, promoted.Exit);
        Assert.Equal((1, 2), (Json(promoted.Out).GetProperty("from").GetInt32(), Json(promoted.Out).GetProperty("to").GetInt32()));

        var rolledBack = await Mrt("rollback", "flight-delays", "--expected", "2", "--reason", "June slice regressed", "--actor", "dave", "--registry", folder);
        Assert.Equal(0, rolledBack.Exit);

        var (_, history, _) = await Mrt("aliases", "history", "flight-delays", "--registry", folder, "--json");
        var moves = Json(history).EnumerateArray().Select(e => (e.GetProperty("to").GetInt32(), e.GetProperty("actor").GetString())).ToList();
        Assert.Equal([(1, "alice"), (2, "carol"), (1, "dave")], moves);
        var registry = await OpenAsync(folder);
        Assert.Equal(1, (await registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);
        var audit = new List<AuditEvent>();
        await foreach (var e in registry.GetAuditEventsAsync("flight-delays"))
        {
            audit.Add(e);
        }

        Assert.Contains(audit, e => e.Actor == "dave");
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Approvals_HoldTheGatewaysRules_AndApprovingAtQuorumPromotes()
    {
        var folder = quickStart.Copy();
        var (_, list, _) = await Mrt("approvals", "list", "--registry", folder, "--json");
        Assert.Equal(("run-2", "alice", 2), (Json(list)[0].GetProperty("id").GetString(), Json(list)[0].GetProperty("requestedBy").GetString(), Json(list)[0].GetProperty("version").GetInt32()));

        var own = await Mrt("approvals", "approve", "run-2", "--comment", "mine", "--actor", "alice", "--registry", folder);
        Assert.Equal(3, own.Exit);                                          // four-eyes
        var noComment = await Mrt("approvals", "reject", "run-2", "--actor", "bob", "--registry", folder);
        Assert.Equal(2, noComment.Exit);
        Assert.Contains("--comment is required", noComment.Error, StringComparison.Ordinal);

        var approved = await Mrt("approvals", "approve", "run-2", "--comment", "checked", "--actor", "bob", "--registry", folder, "--json");
        Assert.Equal(0, approved.Exit);
        Assert.Equal("Approved", Json(approved.Out).GetProperty("status").GetString());
        var registry = await OpenAsync(folder);
        Assert.Equal(2, (await registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);

        // An expired request refuses votes, and says so.
        await registry.GetService<IApprovalStore>()!.CreateAsync(new ApprovalRequest("late", "flight-delays", 1, 2, "alice", DateTimeOffset.UtcNow.AddDays(-2)) { Deadline = DateTimeOffset.UtcNow.AddDays(-1) });
        SqliteConnection.ClearAllPools();
        var late = await Mrt("approvals", "approve", "late", "--comment", "late", "--actor", "bob", "--registry", folder);
        Assert.Equal(3, late.Exit);
        Assert.Contains("expired", late.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEmptyRegistryOption_IsAUsageError_NotAFallBackToAnotherRegistry()
    {
        var (exit, _, error) = await Mrt("models", "list", "--registry", "");
        Assert.Equal(2, exit);
        Assert.Contains("--registry is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReadOfAnOlderSchemaRegistry_IsRefused_AndLeavesItsBytesAsTheyWere()
    {
        var folder = quickStart.Copy();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "registry.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations); PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        var before = await File.ReadAllBytesAsync(Path.Combine(folder, "registry.db"));
        var (exit, _, error) = await Mrt("models", "list", "--registry", folder);
        Assert.Equal(1, exit);
        Assert.Contains("Reading it would migrate it", error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(folder, "registry.db")));
    }

    [Fact]
    public async Task ARegistryThatDoesNotExist_IsRefused_AndNeverCreated()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mr-cli-missing", Guid.NewGuid().ToString("N"));
        var (exit, _, error) = await Mrt("models", "list", "--registry", missing);
        Assert.Equal(4, exit);
        Assert.Contains("No registry at", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Theory]
    [InlineData(4, "versions", "list", "no-such-model")]
    [InlineData(4, "versions", "show", "flight-delays", "9")]
    [InlineData(4, "runs", "show", "no-such-run")]
    [InlineData(2, "versions", "show", "flight-delays", "two")]
    [InlineData(2, "versions", "list", "../etc")]
    [InlineData(2, "models", "list", "--colour", "red")]
    [InlineData(2, "promote", "flight-delays", "2", "--reason", "no expected")]
    [InlineData(2, "promote", "flight-delays", "2", "--expected", "1", "--reason", "--actor", "x")]
    [InlineData(2, "models", "list", "--json=yes")]
    public async Task BadInput_GetsAClearMessageAndItsExitCode(int expected, params string[] args)
    {
        var (exit, _, error) = await Mrt([.. args, "--registry", quickStart.Folder]);
        Assert.Equal(expected, exit);
        Assert.StartsWith("mrt: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownCommandWithJson_IsAUsageError_AsJsonOnStandardError()
    {
        var (exit, stdout, stderr) = await Mrt("modles", "list", "--json", "--registry", quickStart.Folder);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("Unknown command", Json(stderr).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, Json(stderr).GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task WithNoRegistryNamed_ItSaysWhereItLooks()
    {
        var (exit, _, error) = await Mrt("models", "list");
        Assert.Equal(2, exit);
        Assert.Contains("--registry", error, StringComparison.Ordinal);
        Assert.Contains("MRT_REGISTRY", error, StringComparison.Ordinal);
        Assert.Contains("mrt.json", error, StringComparison.Ordinal);
    }
}
