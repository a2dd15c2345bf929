using Microsoft.Extensions.Options;

namespace ModelRetraining.Tests;

public class SignificanceTests
{
    private static readonly RetrainingContext Context = new("churn", "run", TimeProvider.System);

    /// <summary>Labels, and two models' probabilities whose quality is set by <paramref name="candidateSignal"/> and <paramref name="championSignal"/>.</summary>
    private static (float[] Labels, float[] Candidate, float[] Champion) Scores(int n, double candidateSignal, double championSignal, int seed = 5)
    {
        var random = new Random(seed);
        var labels = new float[n];
        var candidate = new float[n];
        var champion = new float[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = random.NextDouble() < 0.3 ? 1 : 0;
            var shared = random.NextDouble();
            candidate[i] = (float)Math.Clamp((0.5 * shared) + (candidateSignal * labels[i]) + (0.3 * random.NextDouble()), 0.001, 0.999);
            champion[i] = (float)Math.Clamp((0.5 * shared) + (championSignal * labels[i]) + (0.3 * random.NextDouble()), 0.001, 0.999);
        }

        return (labels, candidate, champion);
    }

    private static EvaluationReport Report((float[] Labels, float[] Candidate, float[] Champion) s) => new(
        new ModelEvaluation("candidate", new Dictionary<string, MetricValue>()) { Outputs = new PerRowOutputs(s.Labels, s.Candidate) },
        new ModelEvaluation("champion v1", new Dictionary<string, MetricValue>()) { Outputs = new PerRowOutputs(s.Labels, s.Champion) },
        "sha256:h",
        s.Labels.Length);

    private static async Task<GateCriterionResult> JudgeAsync(Action<PromotionGateBuilder> configure, EvaluationReport report)
    {
        var builder = new PromotionGateBuilder();
        configure(builder);
        Assert.Empty(builder.Validate());
        return (await builder.Build().DecideAsync(report, Context)).Criteria.Single();
    }

    [Fact]
    public void WeightedAuc_WithUnitWeights_EqualsThePairCountingDefinition()
    {
        var (labels, scores, _) = Scores(400, 0.2, 0.1);
        scores[3] = scores[7] = scores[11] = 0.5f; // ties count half
        double correct = 0, pairs = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            for (var j = 0; j < labels.Length; j++)
            {
                if (labels[i] == 1 && labels[j] == 0)
                {
                    pairs++;
                    correct += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        var ones = Enumerable.Repeat(1f, labels.Length).ToArray();
        Assert.Equal(correct / pairs, PairedStatistics.WeightedAuc(labels, scores, ones, PairedStatistics.Order(scores)), 12);
    }

    [Fact]
    public async Task SignificantlyBetter_TinyGainWhoseIntervalIncludesZero_IsRejectedAsNotSignificant()
    {
        var scores = Scores(2_000, 0.101, 0.1);
        var row = await JudgeAsync(g => g.SignificantlyBetter("AUC", test: SignificanceTest.PairedBootstrap), Report(scores));
        Assert.False(row.Passed);
        Assert.True(row.ConfidenceLower < 0 && row.ConfidenceUpper > 0, $"[{row.ConfidenceLower}, {row.ConfidenceUpper}]");
        Assert.Contains("not significant", row.Explanation, StringComparison.Ordinal);
        Assert.Contains("paired bootstrap, 1000 resamples, seed 1", row.Explanation, StringComparison.Ordinal);

        // Same inputs, same seed: the same decision to the last digit.
        var again = await JudgeAsync(g => g.SignificantlyBetter("AUC", test: SignificanceTest.PairedBootstrap), Report(scores));
        Assert.Equal(row, again);
    }

    [Theory]
    [InlineData(SignificanceTest.DeLong)]
    [InlineData(SignificanceTest.PairedBootstrap)]
    public async Task SignificantlyBetter_ClearlyBetterCandidate_Passes(SignificanceTest test)
    {
        var row = await JudgeAsync(g => g.SignificantlyBetter("AUC", test: test), Report(Scores(3_000, 0.4, 0.1)));
        Assert.True(row.Passed, row.Explanation);
        Assert.True(row.PValue < 0.001);
        Assert.True(row.ConfidenceLower > 0);
        Assert.True(row.Difference > 0.05);
    }

    [Fact]
    public async Task DeLongAndBootstrap_AgreeOnTheIntervalWidth()
    {
        var report = Report(Scores(3_000, 0.2, 0.15));
        var deLong = await JudgeAsync(g => g.SignificantlyBetter("AUC", test: SignificanceTest.DeLong), report);
        var bootstrap = await JudgeAsync(g => g.SignificantlyBetter("AUC", test: SignificanceTest.PairedBootstrap, resamples: 2_000), report);
        var widthDeLong = deLong.ConfidenceUpper!.Value - deLong.ConfidenceLower!.Value;
        var widthBootstrap = bootstrap.ConfidenceUpper!.Value - bootstrap.ConfidenceLower!.Value;
        Assert.InRange(widthBootstrap / widthDeLong, 0.8, 1.25);
        Assert.Equal(deLong.Difference!.Value, bootstrap.Difference!.Value, 12);
    }

    [Fact]
    public async Task McNemar_OnAccuracy_FavoursTheModelThatGetsMoreRowsRight()
    {
        var row = await JudgeAsync(g => g.SignificantlyBetter("Accuracy"), Report(Scores(5_000, 0.45, 0.2)));
        Assert.True(row.Passed, row.Explanation);
        Assert.Contains("McNemar", row.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotSignificantlyWorse_WithinTheMarginPasses_BeyondItFails()
    {
        var same = Scores(3_000, 0.2, 0.2);
        Assert.True((await JudgeAsync(g => g.NotSignificantlyWorse("LogLoss", margin: 0.02), Report(same))).Passed);
        var worse = Scores(3_000, 0.05, 0.3);
        var row = await JudgeAsync(g => g.NotSignificantlyWorse("LogLoss", margin: 0.005), Report(worse));
        Assert.False(row.Passed, row.Explanation);
        Assert.Contains("may be worse than allowed", row.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("F1")]
    [InlineData("Recall")]
    [InlineData("Brier")]
    public async Task PairedBootstrap_WorksForOtherPerRowMetrics(string metric)
    {
        var row = await JudgeAsync(g => g.SignificantlyBetter(metric), Report(Scores(3_000, 0.45, 0.05)));
        Assert.True(row.Passed, row.Explanation);
        Assert.Contains("paired bootstrap", row.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Metric_R2AndMape_MatchTheirDefinitions()
    {
        float[] y = [1, 2, 4, 0];
        float[] s = [1.5f, 2, 3, 0.5f];
        float[] w = [1, 1, 1, 1];
        var mean = y.Average();
        var r2 = 1 - (y.Zip(s, (a, b) => (a - b) * (a - b)).Sum() / y.Sum(a => (a - mean) * (a - mean)));
        Assert.Equal(r2, PairedStatistics.Metric("R2", y, s, w, []), 6);
        Assert.Equal(((0.5 / 1) + 0 + (1.0 / 4)) / 3, PairedStatistics.Metric("MAPE", y, s, w, []), 6);
    }

    [Fact]
    public async Task WithoutPerRowOutputs_FailsClosed()
    {
        var report = new EvaluationReport(new ModelEvaluation("candidate", new Dictionary<string, MetricValue>()), new ModelEvaluation("champion v1", new Dictionary<string, MetricValue>()), "h", 0);
        var row = await JudgeAsync(g => g.SignificantlyBetter("AUC"), report);
        Assert.False(row.Passed);
        Assert.Contains("needs per-row outputs", row.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstRun_FollowsThePolicy()
    {
        var report = new EvaluationReport(new ModelEvaluation("candidate", new Dictionary<string, MetricValue>()), null, "h", 0);
        Assert.True((await JudgeAsync(g => g.SignificantlyBetter("AUC"), report)).Passed);
        Assert.False((await JudgeAsync(g => g.SignificantlyBetter("AUC").OnFirstRun(FirstRunPolicy.Block), report)).Passed);
    }

    [Fact]
    public void Builder_UnknownMetricWrongTestAndBadAlpha_AreAllReported()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().AddPromotionGate(g => g
            .SignificantlyBetter("F2")
            .SignificantlyBetter("LogLoss", test: SignificanceTest.DeLong)
            .NotSignificantlyWorse("AUC", margin: -1, alpha: 0.7, resamples: 10)));
        Assert.Equal(5, error.Failures.Count());
        Assert.Contains("'F2' cannot be recomputed", error.Message, StringComparison.Ordinal);
        Assert.Contains("DeLong does not apply to LogLoss", error.Message.Replace("test DeLong", "DeLong", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
