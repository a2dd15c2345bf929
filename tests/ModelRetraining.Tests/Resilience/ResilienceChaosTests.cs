using Microsoft.Extensions.Options;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

/// <summary>Polly's chaos strategies (fault, latency) on the registry and the data source, with and without the resilience preset.</summary>
public class ResilienceChaosTests
{
    private static ResiliencePipeline Chaos(double rate, int seed, bool latency = false)
    {
        var random = new Random(seed);
        var builder = new ResiliencePipelineBuilder();
        if (latency)
        {
            builder.AddChaosLatency(new ChaosLatencyStrategyOptions { InjectionRate = rate, Latency = TimeSpan.FromMilliseconds(5), Randomizer = random.NextDouble });
        }

        return builder.AddChaosFault(new ChaosFaultStrategyOptions
        {
            InjectionRate = rate,
            FaultGenerator = static _ => new ValueTask<Exception?>(new IOException("chaos: disk hiccup")),
            Randomizer = random.NextDouble,
        }).Build();
    }

    /// <summary>Injects faults before reads and before the data source's load; never after a write has happened.</summary>
    private sealed class ChaosRegistry(IModelRegistry inner, ResiliencePipeline chaos) : DelegatingModelRegistry(inner)
    {
        public override ValueTask<ModelVersion?> GetAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
            => chaos.ExecuteAsync(t => InnerRegistry.GetAliasAsync(modelName, alias, t), cancellationToken);

        public override ValueTask<ModelArtifact> ReadArtifactAsync(ModelVersion version, CancellationToken cancellationToken = default)
            => chaos.ExecuteAsync(t => InnerRegistry.ReadArtifactAsync(version, t), cancellationToken);

        public override ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
            => chaos.ExecuteAsync(t => InnerRegistry.RegisterVersionAsync(version, t), cancellationToken);
    }

    private sealed class ChaosSource(IDataSource inner, ResiliencePipeline chaos) : DelegatingDataSource(inner)
    {
        public override ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
            => chaos.ExecuteAsync(t => InnerSource.LoadAsync(context, t), cancellationToken);
    }

    private static async Task<(List<RetrainingRunResult> Results, InMemoryModelRegistry Registry)> RunManyAsync(bool resilient, int runs)
    {
        var fixture = new PipelineFixture();
        var registry = new ChaosRegistry(fixture.Registry, Chaos(0.3, 11));
        var results = new List<RetrainingRunResult>();
        for (var i = 0; i < runs; i++)
        {
            var builder = new RetrainingPipelineBuilder { ModelName = "churn" }
                .UseTrainingData(new ChaosSource(fixture.Training, Chaos(0.3, 100 + i, latency: true)))
                .UseHoldoutData(fixture.Holdout)
                .UseTrainer(fixture.Trainer)
                .UseEvaluator(fixture.Evaluator)
                .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5))
                .Configure(o => o.VerifyRollbackReadiness = false)
                .UseRegistry(registry);
            if (resilient)
            {
                builder.UseResilience(o => o.BaseDelay = TimeSpan.Zero);
            }

            results.Add(await builder.Build().RunAsync());
        }

        return (results, fixture.Registry);
    }

    private static async Task AssertConsistentAsync(InMemoryModelRegistry registry, IReadOnlyList<RetrainingRunResult> results)
    {
        var versions = new List<ModelVersion>();
        await foreach (var v in registry.ListVersionsAsync("churn"))
        {
            versions.Add(v);
            Assert.NotEmpty((await registry.ReadArtifactAsync(v)).Content.ToArray());
        }

        // Exactly the versions the runs say they registered: none lost, none doubled.
        Assert.Equal(results.Where(r => r.RegisteredVersion is not null).Select(r => r.RegisteredVersion!.Version).Order(), versions.Select(v => v.Version));
        var history = new List<AliasHistoryEntry>();
        await foreach (var h in registry.GetAliasHistoryAsync("churn", ModelAliases.Champion))
        {
            history.Add(h);
        }

        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i - 1].ToVersion, history[i].FromVersion);
        }

        Assert.Equal(results.Count(r => r.Status == RetrainingRunStatus.Succeeded), history.Count);
    }

    [Fact]
    public async Task WithoutResilience_ChaosFaultsEndRunsFailedWithTheCause_AndLeaveNothingHalfWritten()
    {
        var (results, registry) = await RunManyAsync(resilient: false, runs: 20);
        Assert.All(results, r => Assert.True(r.Status is RetrainingRunStatus.Succeeded or RetrainingRunStatus.Failed, r.Status.ToString()));
        var failed = results.Where(r => r.Status == RetrainingRunStatus.Failed).ToArray();
        Assert.NotEmpty(failed);
        Assert.All(failed, r => Assert.Contains("chaos: disk hiccup", r.Reasons[0], StringComparison.Ordinal));
        await AssertConsistentAsync(registry, results);
    }

    [Fact]
    public async Task WithResilience_RetriesAbsorbReadAndLoadFaults()
    {
        var (plain, _) = await RunManyAsync(resilient: false, runs: 20);
        var (results, registry) = await RunManyAsync(resilient: true, runs: 20);
        Assert.True(results.Count(r => r.Status == RetrainingRunStatus.Succeeded) > plain.Count(r => r.Status == RetrainingRunStatus.Succeeded));
        Assert.All(results.Where(r => r.Status == RetrainingRunStatus.Failed), r => Assert.Equal(RetrainingStage.Registering, r.Stage));
        await AssertConsistentAsync(registry, results);
    }

    [Fact]
    public void Options_Invalid_AreAllReported()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().UseResilience(o =>
        {
            o.MaxRetries = -1;
            o.AttemptTimeout = TimeSpan.Zero;
            o.BaseDelay = TimeSpan.FromSeconds(-1);
        }));
        Assert.Equal(3, error.Failures.Count());
    }
}
