using Microsoft.Extensions.Options;
using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

public class SliceAndCalibrationTests
{
    /// <summary>
    /// 400 holdout rows, X = 0..399, label alternating. The candidate is right on every row except 16 of
    /// the rows with X ≥ 300 (the "late" slice); the champion is right on 90% of rows everywhere.
    /// </summary>
    private static PipelineFixture Fixture()
    {
        var fixture = new PipelineFixture();
        fixture.Holdout.OnLoad = (_, _) => TestData.Snapshot("holdout", 400);
        var labels = Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? 1f : 0f).ToArray();
        var candidate = labels.Select((l, i) => i >= 300 && i < 316 ? 1 - l : l).ToArray();
        var champion = labels.Select((l, i) => i % 10 == 0 ? 1 - l : l).ToArray();
        fixture.Evaluator.CandidateMetrics = FakeEvaluator.Metrics(("Accuracy", 0.96, MetricDirection.HigherIsBetter));
        fixture.Evaluator.ChampionMetrics = FakeEvaluator.Metrics(("Accuracy", 0.90, MetricDirection.HigherIsBetter));
        fixture.Evaluator.CandidateOutputs = new PerRowOutputs(labels, candidate);
        fixture.Evaluator.ChampionOutputs = new PerRowOutputs(labels, champion);
        return fixture;
    }

    [Fact]
    public async Task WorstSlice_OverallBetterButOneSliceDrops_IsRejectedNamingTheSlice()
    {
        var fixture = Fixture();
        await fixture.Builder(g => g.Metric("Accuracy").AtLeast(0.5)).Build().RunAsync();
        var result = await fixture.Builder(g => g.NoWorseThanChampion("Accuracy").NoSliceWorseThan("late", "Accuracy", margin: 0.02))
            .SliceEvaluationBy("late", row => row.GetNumeric("X") >= 300)
            .SliceEvaluationBy("early", row => row.GetNumeric("X") < 300)
            .Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        var row = result.Decision!.Criteria.Single(c => c.Criterion == "no late slice worse on Accuracy");
        Assert.False(row.Passed);
        Assert.Contains("worst slice late (100 rows)", row.Explanation, StringComparison.Ordinal);
        Assert.Equal(0.84, row.CandidateValue!.Value, 10);
        Assert.Equal(0.9, row.ChampionValue!.Value, 10);
        Assert.True(result.Decision.Criteria.Single(c => c.Criterion == "Accuracy no worse than champion").Passed);
        Assert.Contains(result.Evaluation!.Candidate.Slices, s => s.Slice == "early" && s.Rows == 300);
    }

    [Fact]
    public async Task WorstSlice_SlicesBelowTheMinimum_AreReportedAsSkippedNotFailed()
    {
        var fixture = Fixture();
        await fixture.Builder(g => g.Metric("Accuracy").AtLeast(0.5)).Build().RunAsync();
        var result = await fixture.Builder(g => g.NoSliceWorseThan("late", "Accuracy", margin: 0.02))
            .SliceEvaluationBy("late", row => row.GetNumeric("X") >= 300)
            .MinSliceRows(150)
            .Build().RunAsync();
        var row = result.Decision!.Criteria.Single();
        Assert.True(row.Passed);
        Assert.Contains("Skipped, too small or not comparable: late (100 rows)", row.Explanation, StringComparison.Ordinal);
        Assert.False(result.Evaluation!.Candidate.Slices.Single().Judged);
    }

    [Fact]
    public async Task SliceByColumn_NamesEachValue()
    {
        var fixture = Fixture();
        await fixture.Builder(g => g.Metric("Accuracy").AtLeast(0.5)).Build().RunAsync();
        var result = await fixture.Builder(g => g.NoSliceWorseThan("Label", "Accuracy", margin: 0.5)).SliceEvaluationBy("Label").Build().RunAsync();
        Assert.Equal(["Label=False", "Label=True"], result.Evaluation!.Candidate.Slices.Select(s => s.Slice));
    }

    [Fact]
    public async Task WorstSlice_WithoutSliceEvaluation_FailsClosedSayingWhatToAdd()
    {
        var fixture = Fixture();
        await fixture.Builder(g => g.Metric("Accuracy").AtLeast(0.5)).Build().RunAsync();
        var result = await fixture.Builder(g => g.NoSliceWorseThan("Region", "Accuracy", 0.02)).Build().RunAsync();
        Assert.Contains("add SliceEvaluationBy(\"Region\")", result.Decision!.Criteria.Single().Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_SliceWithUnsupportedMetricOrNegativeMargin_IsRefused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().AddPromotionGate(g => g.NoSliceWorseThan("Region", "F7", -1)));
        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void ReliabilityTable_AndExpectedCalibrationError_MatchHandComputedValues()
    {
        float[] labels = [0, 0, 1, 1, 1, 0, 1, 1];
        float[] probabilities = [0.05f, 0.15f, 0.12f, 0.85f, 0.95f, 0.91f, 0.55f, 0.45f];
        var table = Calibration.ReliabilityTable(labels, probabilities);
        Assert.Equal(6, table.Count);
        var low = table.Single(b => b.Lower == 0.1);
        Assert.Equal(2, low.Rows);
        Assert.Equal(0.135, low.MeanPredicted, 6);
        Assert.Equal(0.5, low.ObservedRate);

        // Bins: [0,0.1) 0.05 vs 0; [0.1,0.2) 0.135 vs 0.5; [0.4,0.5) 0.45 vs 1; [0.5,0.6) 0.55 vs 1; [0.8,0.9) 0.85 vs 1; [0.9,1] 0.93 vs 0.5
        var expected = ((1 * 0.05) + (2 * 0.365) + (1 * 0.55) + (1 * 0.45) + (1 * 0.15) + (2 * 0.43)) / 8;
        Assert.Equal(expected, Calibration.ExpectedCalibrationError(table), 6);
    }
}
