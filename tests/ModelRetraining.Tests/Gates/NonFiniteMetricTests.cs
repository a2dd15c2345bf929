using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

/// <summary>A metric that cannot be computed (R2 on a constant-label holdout is NaN) is stored, and a gate on it fails closed.</summary>
public class NonFiniteMetricTests
{
    private static RetrainingPipelineBuilder Builder(IModelRegistry registry, Action<PromotionGateBuilder> gate)
        => new RetrainingPipelineBuilder { ModelName = "churn", Actor = "tests" }
            .UseTrainingData(new FakeDataSource("train.csv", (_, _) => TestData.Snapshot("train", 100)))
            .UseHoldoutData(new FakeDataSource("holdout.csv", (_, _) => TestData.Snapshot("holdout", 40)))
            .UseTrainer(new FakeTrainer())
            .UseEvaluator(new FakeEvaluator { CandidateMetrics = FakeEvaluator.Metrics(("RMSE", 0.3, MetricDirection.LowerIsBetter), ("R2", double.NaN, MetricDirection.HigherIsBetter)) })
            .AddPromotionGate(gate)
            .UseRegistry(registry);

    [Fact]
    public async Task NaNMetricTheGateDoesNotUse_IsRegisteredAndReadBack_OnTheEmbeddedRegistry()
    {
        var registry = ModelRegistry.Embedded(TestData.TempFolder());
        var result = await Builder(registry, g => g.Metric("RMSE").AtMost(0.5)).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        var stored = await registry.GetVersionAsync("churn", result.RegisteredVersion!.Version);
        Assert.True(double.IsNaN(stored!.Metrics["R2"].Value));
        Assert.Equal(0.3, stored.Metrics["RMSE"].Value, 12);
    }

    [Fact]
    public async Task GateOnANaNMetric_FailsClosedWithTheReason()
    {
        var registry = ModelRegistry.Embedded(TestData.TempFolder());
        var result = await Builder(registry, g => g.Metric("R2").AtLeast(0.1)).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("R2 is not a number", StringComparison.Ordinal) && r.Contains("failed closed", StringComparison.Ordinal));
        Assert.Null(await registry.GetAliasAsync("churn", ModelAliases.Champion));
    }
}
