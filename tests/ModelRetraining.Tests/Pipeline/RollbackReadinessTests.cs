using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

public class RollbackReadinessTests
{
    /// <summary>An evaluator that can also rescore a model, with the rescoring decided by the test.</summary>
    private sealed class ScoringEvaluator(FakeEvaluator inner, Func<ModelArtifact, PerRowOutputs> rescore) : DelegatingEvaluator(inner), IModelScorer
    {
        public ValueTask<PerRowOutputs> ScoreAsync(ModelArtifact artifact, DatasetSnapshot data, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(rescore(artifact));
    }

    private static PipelineFixture Fixture(out float[] labels, out float[] championScores)
    {
        var fixture = new PipelineFixture();
        var l = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? 1f : 0f).ToArray();
        var c = l.Select(x => x * 0.8f).ToArray();
        fixture.Evaluator.CandidateOutputs = new PerRowOutputs(l, l);
        fixture.Evaluator.ChampionOutputs = new PerRowOutputs(l, c);
        (labels, championScores) = (l, c);
        return fixture;
    }

    [Fact]
    public async Task Promotion_RollbackTargetReproducesItsScores_Promotes()
    {
        var fixture = Fixture(out var labels, out var champion);
        await fixture.Builder().Build().RunAsync();
        var result = await fixture.Builder().UseEvaluator(new ScoringEvaluator(fixture.Evaluator, _ => new PerRowOutputs(labels, champion))).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task Promotion_RollbackTargetScoresDifferently_IsHeldWithTheReason()
    {
        var fixture = Fixture(out var labels, out var champion);
        await fixture.Builder().Build().RunAsync();
        var drifted = champion.Select((s, i) => i == 3 ? s + 0.25f : s).ToArray();
        var result = await fixture.Builder().UseEvaluator(new ScoringEvaluator(fixture.Evaluator, _ => new PerRowOutputs(labels, drifted))).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains("Held, not promoted: rollback target not ready: churn v1 scores holdout row 4", result.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(1, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        Assert.Equal("held", (await fixture.Registry.GetVersionAsync("churn", 2))?.Tags["decision"]);
    }

    [Fact]
    public async Task Promotion_RollbackTargetThatFailsToLoad_IsHeld()
    {
        var fixture = Fixture(out _, out _);
        await fixture.Builder().Build().RunAsync();
        var result = await fixture.Builder().UseEvaluator(new ScoringEvaluator(fixture.Evaluator, _ => throw new InvalidDataException("not a model"))).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains("does not load: not a model", result.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promotion_ReadinessCheckOff_Promotes()
    {
        var fixture = Fixture(out var labels, out _);
        await fixture.Builder().Build().RunAsync();
        var result = await fixture.Builder().UseEvaluator(new ScoringEvaluator(fixture.Evaluator, _ => new PerRowOutputs(labels, labels))).Configure(o => o.VerifyRollbackReadiness = false).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
    }

    /// <summary>A decorator that counts evaluations and knows nothing of rescoring; the scorer below it must still be found.</summary>
    private sealed class CountingEvaluator(IEvaluator inner) : DelegatingEvaluator(inner)
    {
        public int Evaluations { get; private set; }

        public override ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            Evaluations++;
            return base.EvaluateAsync(input, context, cancellationToken);
        }
    }

    [Fact]
    public async Task Promotion_EvaluatorWrappedInADecorator_StillRescoresTheRollbackTargetAndHolds()
    {
        var fixture = Fixture(out var labels, out var champion);
        await fixture.Builder().Build().RunAsync();
        var drifted = champion.Select((s, i) => i == 3 ? s + 0.25f : s).ToArray();
        CountingEvaluator? counting = null;

        var result = await fixture.Builder()
            .UseEvaluator(new ScoringEvaluator(fixture.Evaluator, _ => new PerRowOutputs(labels, drifted)))
            .Decorate<IEvaluator>(e => counting = new CountingEvaluator(e))
            .Build().RunAsync();

        Assert.Equal(1, counting!.Evaluations);
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains("rollback target not ready: churn v1 scores holdout row 4", result.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(1, (await fixture.Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }
}
