using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Microsoft.ML;
using ModelRetraining.MLNet;
using ModelRetraining.Serving;
using ModelRetraining.Testing;

namespace ModelRetraining.Serving.Tests;

/// <summary>
/// The model server follows the champion alias with atomic swaps: under 8 concurrent callers and 100
/// swaps no call fails, every answer comes from one whole model, and every retired model is disposed.
/// </summary>
public class ModelServerTests
{
    public sealed class Row
    {
        public float X { get; set; }
    }

    public sealed class Output
    {
        public float Score { get; set; }
    }

    // A regression model whose every answer is about `value`: the answer tells which model gave it.
    internal static byte[] ConstantModel(float value)
    {
        var ml = new MLContext(1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 200).Select(_ => (float)random.NextDouble()).Select(x => new { X = x, Label = value + (0.1f * (x - 0.5f)) }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Concatenate("Features", "X").Append(ml.Regression.Trainers.LbfgsPoissonRegression(labelColumnName: "Label")).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return stream.ToArray();
    }

    internal static async Task<InMemoryModelRegistry> RegistryAsync(params float[] values)
    {
        var registry = new InMemoryModelRegistry();
        foreach (var value in values)
        {
            await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", ConstantModel(value)), "tests"));
        }

        return registry;
    }

    [Fact]
    public async Task PredictBeforeAnyChampion_IsAClearError()
    {
        var registry = await RegistryAsync(1);
        await using var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() } });
        await server.StartAsync();

        var error = Assert.Throws<InvalidOperationException>(() => server.Predict(new Row()));
        Assert.Contains("No version of 'delays' is being served: its 'champion' alias is not set yet", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EightCallersAndAHundredSwaps_NoFailedCall_WholeModelsOnly_AllRetiredModelsDisposed(bool keepPrevious)
    {
        var registry = await RegistryAsync(1, 2);
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1), KeepPreviousVersionLoaded = keepPrevious });
        await server.StartAsync();

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        long calls = 0;
        var callers = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            var random = new Random(i);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var prediction = server.Predict(new Row { X = (float)random.NextDouble() });
                    if (Math.Abs(prediction.Output.Score - prediction.Version) > 0.2)
                    {
                        failures.Enqueue($"v{prediction.Version} answered {prediction.Output.Score}");
                    }

                    Interlocked.Increment(ref calls);
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex.ToString());
                }
            }
        })).ToArray();

        for (var swap = 0; swap < 100; swap++)
        {
            var from = server.Current!.Version;
            var to = from == 1 ? 2 : 1;
            await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, to, from, "tests", $"swap {swap}"));
            await server.RefreshAsync(); // the move's in-process notice may have swapped already
            Assert.Equal(to, server.Current!.Version);
            Assert.Equal(keepPrevious ? from : null, server.Standby?.Version);
            await Task.Delay(2);
        }

        stop.Cancel();
        await Task.WhenAll(callers);

        // With the standby, the two versions are loaded once each and swapped back and forth warm;
        // without it, every swap loads; either way nothing loaded outlives the server.
        Assert.Equal(keepPrevious ? 2 : 101, server.LoadedModels);
        Assert.Equal(keepPrevious ? 0 : 100, server.DisposedModels);
        await server.DisposeAsync();

        Assert.Empty(failures);
        Assert.True(calls > 1_000, $"{calls} calls");
        Assert.Equal(server.LoadedModels, server.DisposedModels);
    }

    [Fact]
    public async Task ChampionThatFailsToLoad_KeepsTheOldOneServing_AndRaisesTheFailure()
    {
        var registry = await RegistryAsync(1);
        await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", "not a model"u8.ToArray()), "tests"));
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        await using var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() } });
        await server.StartAsync();
        ModelSwapFailedEventArgs? failure = null;
        server.SwapFailed += (_, e) => failure = e;

        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 2, 1, "tests", "broken promotion"));
        Assert.False(await server.RefreshAsync());

        Assert.Equal(1, server.Current!.Version);
        Assert.Equal(2, failure?.Attempted.Version);
        Assert.Equal(1, failure?.StillServing?.Version);
        Assert.Equal(1, server.Predict(new Row { X = 0.5f }).Version);
    }

    [Fact]
    public async Task Outcomes_AreRecordedOncePerPredictionId_AndExpire()
    {
        var registry = await RegistryAsync(1);
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero));
        var triggers = new List<RetrainingTrigger>();
        var monitor = new PerformanceMonitor(ConceptDrift.Ddm(), triggers.Add, clock);
        await using var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, OutcomeWindow = TimeSpan.FromHours(1) }, monitor, clock);
        await server.StartAsync();

        var first = server.Predict(new Row { X = 0.1f });
        var second = server.Predict(new Row { X = 0.2f });
        Assert.NotEqual(first.Id, second.Id);
        server.RecordOutcome(first.Id, correct: true);

        Assert.Equal(new OnlineAccuracy(1, 1, 1.0), server.OnlineAccuracyOf(1));
        Assert.Contains("already has its outcome", Assert.Throws<KeyNotFoundException>(() => server.RecordOutcome(first.Id, true)).Message, StringComparison.Ordinal);
        Assert.Contains("'nope'", Assert.Throws<KeyNotFoundException>(() => server.RecordOutcome("nope", true)).Message, StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Contains("expired", Assert.Throws<KeyNotFoundException>(() => server.RecordOutcome(second.Id, false)).Message, StringComparison.Ordinal);
        Assert.Equal(new OnlineAccuracy(1, 1, 1.0), server.OnlineAccuracyOf(1));
    }

    [Fact]
    public async Task Rollback_InTheRegistry_IsFollowedByTheServer()
    {
        var registry = await RegistryAsync(1, 2);
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 2, 1, "tests", "promotion"));
        await using var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() } });
        await server.StartAsync();
        Assert.Equal(2, server.Current!.Version);

        await registry.RollbackAsync(new RollbackRequest("delays", 2, "ops", "canary failed"));
        await server.RefreshAsync();

        Assert.Equal(1, server.Predict(new Row { X = 0.3f }).Version);
    }

    [Fact]
    public async Task Rollback_ToTheStandby_SwapsWithoutALoad_AndAThirdVersionLetsTheOldestGo()
    {
        var registry = await RegistryAsync(1, 2, 3);
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        await using var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) });
        await server.StartAsync();
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 2, 1, "tests", "promotion"));
        await server.RefreshAsync();
        Assert.Equal((2, 1, 2), (server.Current!.Version, server.Standby!.Version, server.LoadedModels));

        var entry = await server.RollbackAsync("oncall", "errors up");

        Assert.Equal(1, entry.ToVersion);
        Assert.Equal(1, server.Predict(new Row { X = 0.3f }).Version);
        Assert.Equal(2, server.Standby!.Version);
        Assert.Equal(2, server.LoadedModels); // neither the check before the move nor the swap loaded v1 again
        Assert.Equal(0, server.DisposedModels);

        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 3, 1, "tests", "promotion"));
        await server.RefreshAsync();
        Assert.Equal((3, 1, 3, 1), (server.Current!.Version, server.Standby!.Version, server.LoadedModels, server.DisposedModels));
    }

    [Fact]
    public async Task AMoveThroughThisProcesssRegistry_IsServedAtOnce_WithoutWaitingForThePoll()
    {
        foreach (var registry in new IModelRegistry[] { await RegistryAsync(1, 2), ModelRegistry.Embedded(Path.Combine(Path.GetTempPath(), "mr-serving-notice", Guid.NewGuid().ToString("N"))) })
        {
            if (registry is not InMemoryModelRegistry)
            {
                await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", ConstantModel(1)), "tests"));
                await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", ConstantModel(2)), "tests"));
            }

            await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
            await using var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) });
            await server.StartAsync();

            await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 2, 1, "tests", "promotion"));
            for (var i = 0; i < 500 && server.Current!.Version != 2; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(2, server.Predict(new Row { X = 0.5f }).Version);
        }
    }

    [Fact]
    public void BadOptions_AreRefusedListingEach()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new ModelServer<Row, Output>(new InMemoryModelRegistry(), "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.Zero, OutcomeWindow = TimeSpan.FromSeconds(-1) }));
        Assert.Contains("PollInterval", error.Message, StringComparison.Ordinal);
        Assert.Contains("OutcomeWindow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsWithoutALoader_AreRefused_SayingWhichToAdd()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new ModelServer<Row, Output>(new InMemoryModelRegistry(), "delays"));
        Assert.Contains("Loaders is empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("MLNetModelLoader", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionNoLoaderCanLoad_IsNotSwappedIn_NamingItsFlavorAndTheLoaders()
    {
        var registry = new InMemoryModelRegistry();
        await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("custom", "model.bin", new byte[] { 1, 2, 3 }), "tests"));
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        await using var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() } });
        ModelSwapFailedEventArgs? failure = null;
        server.SwapFailed += (_, e) => failure = e;

        await server.StartAsync();

        Assert.Null(server.Current);
        Assert.NotNull(failure);
        Assert.Contains("flavor 'custom'", failure.Error.Message, StringComparison.Ordinal);
        Assert.Contains("loaders are mlnet", failure.Error.Message, StringComparison.Ordinal);
    }
}
