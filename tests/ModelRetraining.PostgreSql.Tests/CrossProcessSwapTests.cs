using QuickStart;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>
/// A serving node in another process (ModelRetraining.ServingNode: a ModelServer of the quick start's real
/// ML.NET model) follows promotions and rollbacks made here on the same PostgreSQL schema: through LISTEN/NOTIFY
/// alone (its own poll every hour), and through polling alone (no LISTEN). How long a swap takes is measured
/// by benchmarks/swap/run.sh, not asserted: tests never time.
/// </summary>
public sealed class CrossProcessSwapTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("notify")]
    [InlineData("poll:200")]
    public async Task APromotionAndARollback_AreServedByAServerInAnotherProcess(string mode)
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var registry = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(database, new PostgreSqlRegistryOptions { Schema = "serving" });
        var first = await FlightDelays.Pipeline(registry, FlightDelays.DataFile, (new(2001, 1, 1), new(2001, 2, 1)), (new(2001, 2, 1), new(2001, 2, 15))).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Succeeded, first.Status);
        var v1 = first.RegisteredVersion!;
        var v2 = await registry.RegisterVersionAsync(new NewModelVersion("flight-delays", await registry.ReadArtifactAsync(v1), "tests") { ParentVersion = 1 });
        await using var node = await ServingNodeProcess.StartAsync(database, "serving", "flight-delays", mode);
        Assert.Equal(1, node.ReadyVersion);

        await registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, v2.Version, 1, "tests", "promote the copy"));
        Assert.Equal(2, (await node.NextSwapAsync(Bound)).Version);

        await registry.RollbackAsync(new RollbackRequest("flight-delays", 2, "oncall", "roll back across processes"));
        Assert.Equal(1, (await node.NextSwapAsync(Bound)).Version);
    }
}
