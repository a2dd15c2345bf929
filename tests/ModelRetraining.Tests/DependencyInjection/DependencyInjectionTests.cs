using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

public class DependencyInjectionTests
{
    [Fact]
    public async Task AddPipeline_ResolvedByName_UsesTheRegisteredRegistryAndRuns()
    {
        var fixture = new PipelineFixture();
        var services = new ServiceCollection();
        services.AddSingleton<IModelRegistry>(fixture.Registry);
        services.AddModelRetraining().AddPipeline("churn", (p, _) => p
            .UseTrainingData(fixture.Training)
            .UseHoldoutData(fixture.Holdout)
            .UseTrainer(fixture.Trainer)
            .UseEvaluator(fixture.Evaluator)
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5)));
        await using var provider = services.BuildServiceProvider();

        var pipeline = provider.GetRequiredKeyedService<RetrainingPipeline>("churn");

        Assert.Same(pipeline, provider.GetRequiredKeyedService<RetrainingPipeline>("churn"));
        Assert.Equal("churn", pipeline.ModelName);
        Assert.Same(fixture.Registry, pipeline.Registry);
        Assert.Equal(RetrainingRunStatus.Succeeded, (await pipeline.RunAsync()).Status);
    }

    [Fact]
    public async Task AddPipeline_Misconfigured_StopsTheHostAtStartWithEveryProblem()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelRetraining().AddPipeline("churn", (p, _) => p.UseTrainer(new FakeTrainer()));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Pipeline 'churn': No training data", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline 'churn': No registry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPipeline_SameNameTwice_IsRefused()
    {
        var retraining = new ServiceCollection().AddModelRetraining().AddPipeline("churn", (_, _) => { });
        Assert.Throws<ArgumentException>(() => retraining.AddPipeline("churn", (_, _) => { }));
        Assert.Throws<ArgumentException>(() => retraining.AddPipeline("../x", (_, _) => { }));
    }

    [Fact]
    public async Task UseEmbeddedRegistry_RegistersTheSqliteRegistryForPipelines()
    {
        var folder = TestData.TempFolder();
        var services = new ServiceCollection();
        services.AddModelRetraining().UseEmbeddedRegistry(folder);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IModelRegistry>();
        await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 1 }), "di"));
        Assert.True(File.Exists(Path.Combine(folder, "registry.db")));
    }

    [Fact]
    public async Task AddPipeline_ValidatedAtHostStart_BuildsOnceAndKeepsThatPipeline()
    {
        var fixture = new PipelineFixture();
        var builds = 0;
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IModelRegistry>(fixture.Registry);
        builder.Services.AddModelRetraining().AddPipeline("churn", (p, _) =>
        {
            builds++;
            p.UseTrainingData(fixture.Training).UseHoldoutData(fixture.Holdout).UseTrainer(fixture.Trainer).UseEvaluator(fixture.Evaluator)
                .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5));
        });
        using var host = builder.Build();

        await host.StartAsync();
        var first = host.Services.GetRequiredKeyedService<RetrainingPipeline>("churn");
        var second = host.Services.GetRequiredKeyedService<RetrainingPipeline>("churn");
        await host.StopAsync();

        Assert.Equal(1, builds);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task AddPipeline_CallbackSetsAnotherModelName_IsRefusedAtHostStartNamingBoth()
    {
        var fixture = new PipelineFixture();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IModelRegistry>(fixture.Registry);
        builder.Services.AddModelRetraining().AddPipeline("churn", (p, _) =>
        {
            p.ModelName = "churn-v2";
            p.UseTrainingData(fixture.Training).UseHoldoutData(fixture.Holdout).UseTrainer(fixture.Trainer).UseEvaluator(fixture.Evaluator)
                .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5));
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("The registration 'churn' set ModelName to 'churn-v2'", error.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Registry.ListModelsAsync().ToBlockingEnumerable());
    }

    [Fact]
    public async Task AddPipeline_JournalAndApprovalsRegisteredSeparately_AreUsedInsteadOfTheRegistrys()
    {
        var fixture = new PipelineFixture();
        var journalHost = new InMemoryModelRegistry();
        var services = new ServiceCollection();
        services.AddSingleton<IModelRegistry>(fixture.Registry);
        services.AddSingleton<IRunJournal>(journalHost);
        services.AddSingleton<IApprovalStore>(journalHost);
        services.AddModelRetraining().AddPipeline("churn", (p, _) => p
            .UseTrainingData(fixture.Training).UseHoldoutData(fixture.Holdout).UseTrainer(fixture.Trainer).UseEvaluator(fixture.Evaluator)
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5)));
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredKeyedService<RetrainingPipeline>("churn");

        var result = await pipeline.RunAsync(new RetrainingRunOptions { RunId = "separate" });

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.Same(journalHost, pipeline.Journal);
        Assert.Same(journalHost, pipeline.Approvals);
        Assert.NotEmpty(journalHost.ReadRunAsync("separate").ToBlockingEnumerable());
        Assert.Empty(fixture.Registry.ReadRunAsync("separate").ToBlockingEnumerable());
    }
}
