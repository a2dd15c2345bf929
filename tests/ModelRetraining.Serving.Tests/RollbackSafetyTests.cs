using ModelRetraining.MLNet;
using ModelRetraining.Testing;
using Row = ModelRetraining.Serving.Tests.ModelServerTests.Row;
using Output = ModelRetraining.Serving.Tests.ModelServerTests.Output;

namespace ModelRetraining.Serving.Tests;

/// <summary>
/// Rollback attacks of the integrity review: onto a version that cannot load, two operators at once,
/// and a champion that failed to load. Real ML.NET models; v1 is bytes that pass their hash but are no model.
/// </summary>
public class RollbackSafetyTests
{
    // v1: not a model (its hash verifies, it just cannot load); v2: a real model, champion after v1.
    private static async Task<InMemoryModelRegistry> BrokenPreviousAsync()
    {
        var registry = new InMemoryModelRegistry();
        await registry.RegisterVersionAsync(new NewModelVersion("fares", new ModelArtifact("mlnet", "model.zip", "not a zip"u8.ToArray()), "tests"));
        await registry.RegisterVersionAsync(new NewModelVersion("fares", new ModelArtifact("mlnet", "model.zip", ModelServerTests.ConstantModel(2)), "tests"));
        await registry.SetAliasAsync(new AliasChange("fares", ModelAliases.Champion, 1, null, "tests", "first"));
        await registry.SetAliasAsync(new AliasChange("fares", ModelAliases.Champion, 2, 1, "tests", "release"));
        return registry;
    }

    private static ModelServer<Row, Output> Server(IModelRegistry registry) => new(registry, "fares", new ModelServerOptions { Loaders = { new MLNetModelLoader() } });

    [Fact]
    public async Task Rollback_OntoVersionThatCannotLoad_IsRefusedWithTheCause_AndNothingMoves()
    {
        var registry = await BrokenPreviousAsync();
        await using var server = Server(registry);
        await server.StartAsync();
        var rolledBack = 0;
        server.RolledBack += (_, _) => rolledBack++;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await server.RollbackAsync("oncall", "errors up"));

        Assert.Contains("v1 cannot be loaded", error.Message, StringComparison.Ordinal);
        Assert.Contains("force", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await registry.GetAliasAsync("fares", ModelAliases.Champion))?.Version);
        Assert.Equal(2, server.Predict(new Row { X = 0.5f }).Version);
        Assert.Equal(0, rolledBack);
        await foreach (var audit in registry.GetAuditEventsAsync("fares"))
        {
            Assert.NotEqual(AuditActions.AliasRolledBack, audit.Action);
        }
    }

    [Fact]
    public async Task ForcedRollback_OntoVersionThatCannotLoad_MovesAudited_AndTheServerSaysItCouldNotFollow()
    {
        var registry = await BrokenPreviousAsync();
        await using var server = Server(registry);
        await server.StartAsync();
        ModelRolledBackEventArgs? told = null;
        server.RolledBack += (_, e) => told = e;

        var entry = await server.RollbackFromAsync(2, "oncall", "emergency", force: true);

        Assert.Equal(1, entry.ToVersion);
        Assert.NotNull(told);
        Assert.False(told.ServerFollowed);
        Assert.Equal(1, server.LastSwapFailure?.Attempted.Version);
        Assert.Equal(2, server.Predict(new Row { X = 0.5f }).Version); // the old version keeps serving
        var forced = false;
        await foreach (var audit in registry.GetAuditEventsAsync("fares"))
        {
            forced |= audit.Action == AuditActions.AliasRolledBack && audit.Reason == "forced (target not verified): emergency";
        }

        Assert.True(forced);
    }

    [Fact]
    public async Task ChampionThatFailedToLoad_IsReportedAsSetAndFailed_NotAsUnset()
    {
        var registry = await BrokenPreviousAsync();
        await registry.RollbackAsync(new RollbackRequest("fares", 2, "ops", "test") { Force = true });
        await using var server = Server(registry);
        await server.StartAsync();

        var error = Assert.Throws<InvalidOperationException>(() => server.Predict(new Row()));

        Assert.Contains("alias is set to v1, which failed to load", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not set yet", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task TwoOperatorsRollingBackAtOnce_OneWins_TheOtherGetsAConflict_TwentyTimes()
    {
        for (var trial = 0; trial < 20; trial++)
        {
            var registry = new InMemoryModelRegistry();
            await registry.RegisterVersionAsync(new NewModelVersion("fares", new ModelArtifact("mlnet", "model.zip", ModelServerTests.ConstantModel(1)), "tests"));
            await registry.RegisterVersionAsync(new NewModelVersion("fares", new ModelArtifact("mlnet", "model.zip", ModelServerTests.ConstantModel(2)), "tests"));
            await registry.SetAliasAsync(new AliasChange("fares", ModelAliases.Champion, 1, null, "tests", "first"));
            await registry.SetAliasAsync(new AliasChange("fares", ModelAliases.Champion, 2, 1, "tests", "bad release"));
            await using var first = Server(registry);
            await using var second = Server(registry);
            await first.StartAsync();
            await second.StartAsync();

            var outcomes = await Task.WhenAll(
                Task.Run(() => Attempt(() => first.RollbackAsync("oncall-a", "errors up"))),
                Task.Run(() => Attempt(() => second.RollbackAsync("oncall-b", "errors up"))));

            Assert.Single(outcomes, o => o is null);
            Assert.Single(outcomes, o => o is AliasConflictException);
            Assert.Equal(1, (await registry.GetAliasAsync("fares", ModelAliases.Champion))?.Version);
        }
    }

    private static async Task<Exception?> Attempt(Func<Task<AliasHistoryEntry>> rollback)
    {
        try
        {
            await rollback();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
