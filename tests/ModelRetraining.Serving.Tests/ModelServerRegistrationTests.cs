using ModelRetraining.MLNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelRetraining.Testing;
using static ModelRetraining.Serving.Tests.ModelServerTests;

namespace ModelRetraining.Serving.Tests;

/// <summary>A model server registered with a generic host: built from the registered embedded registry, serving the champion once the host has started, following promotions, disposed with the host.</summary>
public sealed class ModelServerRegistrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-serving-host", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task HostedServer_ServesTheChampionAfterStart_FollowsAPromotion_AndIsDisposedWithTheHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelRetraining().UseEmbeddedRegistry(_folder).AddModelServer<Row, Output>("delays", o => { o.Loaders.Add(new MLNetModelLoader()); o.PollInterval = TimeSpan.FromHours(1); }, isCorrect: (o, actual) => Math.Abs(o.Score - actual) < 0.5);
        var host = builder.Build();
        var registry = host.Services.GetRequiredService<IModelRegistry>();
        await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", ConstantModel(1)), "tests"));
        await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", ConstantModel(2)), "tests"));
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));

        await host.StartAsync();
        var server = host.Services.GetRequiredService<ModelServer<Row, Output>>();
        Assert.Same(server, host.Services.GetRequiredKeyedService<ModelServer<Row, Output>>("delays"));
        Assert.Same(server, Assert.Single(host.Services.GetServices<IRolloutControl>())); // what the dashboard's rollouts view finds
        var first = server.Predict(new Row { X = 0.5f });
        Assert.Equal(1, first.Version);
        Assert.True(server.RecordActual(first.Id, 1f));

        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 2, 1, "tests", "promotion"));
        for (var i = 0; i < 500 && server.Current!.Version != 2; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(2, server.Predict(new Row { X = 0.5f }).Version);
        await host.StopAsync();
        await ((IAsyncDisposable)host).DisposeAsync();
        Assert.Equal(server.LoadedModels, server.DisposedModels);
    }

    [Fact]
    public async Task TheReadinessCheck_IsUnhealthyBeforeTheServerLoadsAChampion_AndHealthyAfter()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelRetraining().UseEmbeddedRegistry(_folder).AddModelServer<Row, Output>("delays", o => { o.Loaders.Add(new MLNetModelLoader()); o.PollInterval = TimeSpan.FromHours(1); });
        builder.Services.AddHealthChecks().AddModelServerReadiness<Row, Output>();
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
        var before = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, before.Status);
        Assert.Contains("No version is loaded", before.Entries.Single().Value.Description, StringComparison.Ordinal);

        var registry = host.Services.GetRequiredService<IModelRegistry>();
        await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", ConstantModel(1)), "tests"));
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        await host.StartAsync();
        var after = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, after.Status);
        Assert.Contains("delays v1", after.Entries.Single().Value.Description, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public void BadServerOptions_AreRefusedAtRegistration()
    {
        var services = new ServiceCollection();
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.AddModelRetraining().AddModelServer<Row, Output>("delays", o => { o.Loaders.Add(new MLNetModelLoader()); o.PollInterval = TimeSpan.Zero; }));
        Assert.Contains("PollInterval must be positive", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../delays")]
    [InlineData("with space")]
    public void ModelName_NotAllowed_IsRefusedAtRegistrationNamingIt(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddModelRetraining().AddModelServer<Row, Output>(name, o => o.Loaders.Add(new MLNetModelLoader())));
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelineRegisteredUnderTheName_IsTheRegistryTheServerFollows()
    {
        var pipelineRegistry = new InMemoryModelRegistry();
        var otherRegistry = new InMemoryModelRegistry();
        await pipelineRegistry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", ConstantModel(7)), "tests"));
        await pipelineRegistry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IModelRegistry>(otherRegistry);
        builder.Services.AddModelRetraining()
            .AddPipeline("delays", (p, _) => p
                .UseRegistry(pipelineRegistry)
                .UseTrainingData(new FakeDataSource("train", (_, _) => throw new InvalidOperationException("not run")))
                .UseHoldoutData(new FakeDataSource("holdout", (_, _) => throw new InvalidOperationException("not run")))
                .UseTrainer(new FakeTrainer())
                .UseEvaluator(new FakeEvaluator())
                .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5)))
            .AddModelServer<Row, Output>("delays", o => { o.Loaders.Add(new MLNetModelLoader()); o.PollInterval = TimeSpan.FromHours(1); });
        using var host = builder.Build();

        await host.StartAsync();
        var server = host.Services.GetRequiredService<ModelServer<Row, Output>>();

        Assert.InRange(server.Predict(new Row { X = 0.5f }).Output.Score, 6.8f, 7.2f); // the model that answers 7 is only in the pipeline's registry
        await host.StopAsync();
    }
}
