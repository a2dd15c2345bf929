using Microsoft.Extensions.Options;
using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

public class PromotionGateTests
{
    private static IPromotionGate Gate(Action<PromotionGateBuilder> configure)
    {
        var builder = new PromotionGateBuilder();
        configure(builder);
        Assert.Empty(builder.Validate());
        return builder.Build();
    }

    private static EvaluationReport Report(IReadOnlyDictionary<string, MetricValue> candidate, IReadOnlyDictionary<string, MetricValue>? champion)
        => new(new ModelEvaluation("candidate", candidate), champion is null ? null : new ModelEvaluation("champion v1", champion), "sha256:h", 100);

    private static IReadOnlyDictionary<string, MetricValue> Auc(double value) => FakeEvaluator.Metrics(("AUC", value, MetricDirection.HigherIsBetter));

    private static readonly RetrainingContext Context = new("churn", "run", TimeProvider.System);

    [Fact]
    public async Task ZeroMargin_IsWrittenAsZero_NotMinusZero()
    {
        var gate = Gate(g => g.NoWorseThanChampion("AUC", margin: 0));
        var decision = await gate.DecideAsync(Report(FakeEvaluator.Metrics(("AUC", 0.80, MetricDirection.HigherIsBetter)), FakeEvaluator.Metrics(("AUC", 0.79, MetricDirection.HigherIsBetter))), Context);
        var criterion = Assert.Single(decision.Criteria);
        Assert.Equal("difference >= 0", criterion.Limit);
        Assert.DoesNotContain("-0", criterion.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoWorseThanChampion_DropBeyondMargin_RejectsNamingTheNumbers()
    {
        var gate = Gate(g => g.NoWorseThanChampion("AUC", margin: 0.01));
        var decision = await gate.DecideAsync(Report(Auc(0.835), Auc(0.850)), Context);

        Assert.Equal(PromotionOutcome.Rejected, decision.Outcome);
        var row = Assert.Single(decision.Criteria);
        Assert.False(row.Passed);
        Assert.Equal("AUC", row.Metric);
        Assert.Equal(0.835, row.CandidateValue);
        Assert.Equal(0.850, row.ChampionValue);
        Assert.Equal(-0.015, row.Difference!.Value, 10);
        Assert.Equal("difference >= -0.01", row.Limit);
        Assert.Contains("0.835", row.Explanation, StringComparison.Ordinal);
        Assert.Contains("0.85", row.Explanation, StringComparison.Ordinal);
        Assert.Contains("-0.015", row.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoWorseThanChampion_DropWithinMargin_Approves()
    {
        var decision = await Gate(g => g.NoWorseThanChampion("AUC", margin: 0.01)).DecideAsync(Report(Auc(0.842), Auc(0.850)), Context);
        Assert.Equal(PromotionOutcome.Approved, decision.Outcome);
        Assert.False(decision.NoBaseline);
        Assert.Null(decision.FirstRunPolicy);
    }

    [Fact]
    public async Task NoWorseThanChampion_LowerIsBetterMetric_UsesTheMetricsDirection()
    {
        var gate = Gate(g => g.NoWorseThanChampion("LogLoss", margin: 0.005));
        var worse = await gate.DecideAsync(Report(FakeEvaluator.Metrics(("LogLoss", 0.51, MetricDirection.LowerIsBetter)), FakeEvaluator.Metrics(("LogLoss", 0.50, MetricDirection.LowerIsBetter))), Context);
        var better = await gate.DecideAsync(Report(FakeEvaluator.Metrics(("LogLoss", 0.45, MetricDirection.LowerIsBetter)), FakeEvaluator.Metrics(("LogLoss", 0.50, MetricDirection.LowerIsBetter))), Context);
        Assert.Equal(PromotionOutcome.Rejected, worse.Outcome);
        Assert.Equal("difference <= 0.005", worse.Criteria[0].Limit);
        Assert.Equal(PromotionOutcome.Approved, better.Outcome);
    }

    [Fact]
    public async Task ValueThreshold_BoundsAreInclusive()
    {
        var gate = Gate(g => g.Metric("AUC").Between(0.6, 0.9));
        Assert.Equal(PromotionOutcome.Approved, (await gate.DecideAsync(Report(Auc(0.6), null), Context)).Outcome);
        Assert.Equal(PromotionOutcome.Approved, (await gate.DecideAsync(Report(Auc(0.9), null), Context)).Outcome);
        Assert.Equal(PromotionOutcome.Rejected, (await gate.DecideAsync(Report(Auc(0.5999), null), Context)).Outcome);
        Assert.Equal(PromotionOutcome.Rejected, (await gate.DecideAsync(Report(Auc(double.NaN), null), Context)).Outcome);
    }

    [Fact]
    public async Task MissingCandidateMetric_FailsClosedNamingIt()
    {
        var decision = await Gate(g => g.Metric("F1").AtLeast(0.5)).DecideAsync(Report(Auc(0.9), null), Context);
        Assert.Equal(PromotionOutcome.Rejected, decision.Outcome);
        Assert.Contains("metric not found: F1", decision.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("AUC", decision.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingChampionMetric_FailsClosed()
    {
        var decision = await Gate(g => g.NoWorseThanChampion("AUC")).DecideAsync(Report(Auc(0.9), FakeEvaluator.Metrics(("F1", 0.5, MetricDirection.HigherIsBetter))), Context);
        Assert.Equal(PromotionOutcome.Rejected, decision.Outcome);
        Assert.Contains("metric not found: AUC", decision.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("champion", decision.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstRun_ValueThresholdsOnly_JudgesThresholdsAndRecordsNoBaseline()
    {
        var gate = Gate(g => g.Metric("AUC").AtLeast(0.7).NoWorseThanChampion("AUC", 0.01));
        var pass = await gate.DecideAsync(Report(Auc(0.8), null), Context);
        var fail = await gate.DecideAsync(Report(Auc(0.6), null), Context);
        Assert.Equal(PromotionOutcome.Approved, pass.Outcome);
        Assert.True(pass.NoBaseline);
        Assert.Equal("ValueThresholdsOnly", pass.FirstRunPolicy);
        Assert.Contains(pass.Criteria, c => c.Explanation.StartsWith("no baseline", StringComparison.Ordinal) && c.Passed);
        Assert.Equal(PromotionOutcome.Rejected, fail.Outcome);
    }

    [Fact]
    public async Task FirstRun_Block_RejectsWithNoBaseline()
    {
        var decision = await Gate(g => g.NoWorseThanChampion("AUC").OnFirstRun(FirstRunPolicy.Block)).DecideAsync(Report(Auc(0.99), null), Context);
        Assert.Equal(PromotionOutcome.Rejected, decision.Outcome);
        Assert.True(decision.NoBaseline);
        Assert.Equal("Block", decision.FirstRunPolicy);
        Assert.Contains("no baseline", decision.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstRun_RequireApproval_LeavesItToAPerson()
    {
        var gate = Gate(g => g.Metric("AUC").AtLeast(0.7).NoWorseThanChampion("AUC").OnFirstRun(FirstRunPolicy.RequireApproval));
        var decision = await gate.DecideAsync(Report(Auc(0.8), null), Context);
        Assert.Equal(PromotionOutcome.PendingApproval, decision.Outcome);
        Assert.Equal("RequireApproval", decision.FirstRunPolicy);
        Assert.Equal(PromotionOutcome.Rejected, (await gate.DecideAsync(Report(Auc(0.6), null), Context)).Outcome);
        Assert.Equal(PromotionOutcome.Approved, (await gate.DecideAsync(Report(Auc(0.8), Auc(0.75)), Context)).Outcome);
    }

    [Fact]
    public void Builder_SeveralMistakes_ReportsEveryOneInOneMessage()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().AddPromotionGate(g => g
            .NoWorseThanChampion("AUC", margin: -0.01)
            .Metric("F1").Between(0.9, 0.1)
            .Metric("").AtLeast(double.NaN)));
        Assert.Equal(4, error.Failures.Count());
        Assert.Contains("margin", error.Message, StringComparison.Ordinal);
        Assert.Contains("lower bound 0.9 is above the upper bound 0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("metric name is empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_NoCriterion_IsRefused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().AddPromotionGate(_ => { }));
        Assert.Contains("no criterion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_Defaults_AreDocumentedValues()
    {
        var builder = new PromotionGateBuilder();
        Assert.Equal(FirstRunPolicy.ValueThresholdsOnly, builder.FirstRunPolicy);
        Assert.Equal("thresholds", builder.Name);
    }
}

public class PromotionGateBadInputTests
{
    [Theory]
    [InlineData("LogLoss", true)]
    [InlineData("RMSE", true)]
    [InlineData("AUC", false)]
    public void Threshold_PointingTheWrongWayForItsMetric_IsRefused(string metric, bool lowerIsBetter)
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new RetrainingPipelineBuilder().AddPromotionGate(g =>
        {
            if (lowerIsBetter)
            {
                g.Metric(metric).AtLeast(0.9);
            }
            else
            {
                g.Metric(metric).AtMost(0.9);
            }
        }));
        Assert.Contains(lowerIsBetter ? "use AtMost" : "use AtLeast", error.Message, StringComparison.Ordinal);
        Assert.Contains(metric, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Holdout_SmallerThanTheMinimum_RejectsBeforeTraining()
    {
        var fixture = new PipelineFixture();
        fixture.Holdout.OnLoad = (_, _) => TestData.Snapshot("holdout", 12);
        var result = await fixture.Builder().Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("has 12 rows; an evaluation needs at least 30", StringComparison.Ordinal));
        Assert.Equal(0, fixture.Trainer.Calls);
    }
}

public class RelativeAndCustomCriterionTests
{
    private static readonly RetrainingContext Context = new("churn", "run", TimeProvider.System);

    private static async Task<GateCriterionResult> JudgeAsync(Action<PromotionGateBuilder> configure, double candidate, double? champion, MetricDirection direction = MetricDirection.LowerIsBetter)
    {
        var builder = new PromotionGateBuilder();
        configure(builder);
        Assert.Empty(builder.Validate());
        var report = new EvaluationReport(
            new ModelEvaluation("candidate", Testing.FakeEvaluator.Metrics(("RMSE", candidate, direction))),
            champion is { } c ? new ModelEvaluation("champion v1", Testing.FakeEvaluator.Metrics(("RMSE", c, direction))) : null,
            "h",
            10);
        return (await builder.Build().DecideAsync(report, Context)).Criteria.Single();
    }

    [Fact]
    public async Task RelativeChange_IsCandidateMinusChampionOverTheChampionsMagnitude_InTheMetricsDirection()
    {
        var better = await JudgeAsync(g => g.RelativeChangeFromChampion("RMSE", 0.05), 9, 10);
        Assert.True(better.Passed);
        Assert.Contains("relative improvement 0.1 (10%)", better.Explanation, StringComparison.Ordinal);
        var notEnough = await JudgeAsync(g => g.RelativeChangeFromChampion("RMSE", 0.15), 9, 10);
        Assert.False(notEnough.Passed);
        var tolerated = await JudgeAsync(g => g.RelativeChangeFromChampion("RMSE", -0.02), 10.1, 10);
        Assert.True(tolerated.Passed);
    }

    [Fact]
    public async Task RelativeChange_ChampionOfZero_IsHandledAndSaid()
    {
        var row = await JudgeAsync(g => g.RelativeChangeFromChampion("RMSE", 0.01), 0.5, 0);
        Assert.False(row.Passed);
        Assert.Contains("the champion's value is 0, so the relative change is undefined", row.Explanation, StringComparison.Ordinal);
        var higherBetter = await JudgeAsync(g => g.RelativeChangeFromChampion("RMSE", 0.01), 0.5, 0, MetricDirection.HigherIsBetter);
        Assert.True(higherBetter.Passed);
    }

    [Fact]
    public async Task Custom_DelegateDecides_AndAnExceptionFailsClosed()
    {
        var ok = await JudgeAsync(g => g.Custom("small model", r => new GateCriterionResult("small model", null, r.HoldoutRows > 5, "holdout large enough")), 1, 1);
        Assert.True(ok.Passed);
        var thrown = await JudgeAsync(g => g.Custom("broken", _ => throw new InvalidOperationException("no size known")), 1, 1);
        Assert.False(thrown.Passed);
        Assert.Contains("threw InvalidOperationException: no size known", thrown.Explanation, StringComparison.Ordinal);
    }
}
