using Microsoft.Extensions.Options;

namespace ModelRetraining.Tests;

/// <summary>
/// Label-free performance estimation (CBPE): on generated streams where the label is drawn from the
/// score's own probability, the estimate follows the realized metric, including when the inputs shift
/// towards uncertain cases, and an estimate below the reference range raises a trigger.
/// </summary>
public class PerformanceEstimationTests
{
    // Labels drawn with probability p; the model's score is f(p) (calibrated when f is the identity).
    private static (double[] Scores, bool[] Labels) Stream(int seed, int rows, Func<Random, double> p, Func<double, double>? score = null)
    {
        var random = new Random(seed);
        var scores = new double[rows];
        var labels = new bool[rows];
        for (var i = 0; i < rows; i++)
        {
            var probability = p(random);
            labels[i] = random.NextDouble() < probability;
            scores[i] = score?.Invoke(probability) ?? probability;
        }

        return (scores, labels);
    }

    private static double Realized(EstimatedMetric metric, double[] scores, bool[] labels)
        => ConfidenceBasedPerformanceEstimator.Fit(scores, labels, new PerformanceEstimatorOptions { Metric = metric, ChunkSize = scores.Length, Calibrate = false }).ReferenceRealized;

    private static double Confident(Random r) => r.NextDouble() < 0.5 ? r.NextDouble() * 0.2 : 0.8 + (r.NextDouble() * 0.2);

    private static double Uncertain(Random r) => 0.35 + (r.NextDouble() * 0.3);

    [Theory]
    [InlineData(EstimatedMetric.Accuracy)]
    [InlineData(EstimatedMetric.RocAuc)]
    [InlineData(EstimatedMetric.F1)]
    [InlineData(EstimatedMetric.Precision)]
    [InlineData(EstimatedMetric.Recall)]
    public void Estimate_OnCalibratedScores_TracksTheRealizedMetric_WithAndWithoutShift(EstimatedMetric metric)
    {
        var reference = Stream(1, 20_000, Confident);
        var estimator = ConfidenceBasedPerformanceEstimator.Fit(reference.Scores, reference.Labels, new PerformanceEstimatorOptions { Metric = metric });

        var same = Stream(2, 5_000, Confident);
        var shifted = Stream(3, 5_000, Uncertain);
        var onSame = estimator.Estimate(same.Scores);
        var onShifted = estimator.Estimate(shifted.Scores);

        Assert.InRange(onSame.Value - Realized(metric, same.Scores, same.Labels), -0.03, 0.03);
        Assert.InRange(onShifted.Value - Realized(metric, shifted.Scores, shifted.Labels), -0.05, 0.05);
        Assert.False(onSame.Alert, onSame.ToString());
        Assert.True(onShifted.Alert, onShifted.ToString());
        Assert.Empty(estimator.Warnings);
    }

    [Fact]
    public void Fit_MiscalibratedScores_CalibratesAndStillTracksTheRealizedAccuracy()
    {
        // The model is right about the order but its scores are squashed: p = 0.9 is scored 0.73.
        static double Squash(double p) => p * p * (3 - (2 * p)) * 0.5 + (p * 0.25);
        var reference = Stream(4, 20_000, Confident, Squash);
        var analysis = Stream(5, 5_000, Uncertain, Squash);

        var auto = ConfidenceBasedPerformanceEstimator.Fit(reference.Scores, reference.Labels, new PerformanceEstimatorOptions { Metric = EstimatedMetric.Accuracy, DecisionThreshold = Squash(0.5) });
        var raw = ConfidenceBasedPerformanceEstimator.Fit(reference.Scores, reference.Labels, new PerformanceEstimatorOptions { Metric = EstimatedMetric.Accuracy, DecisionThreshold = Squash(0.5), Calibrate = false });
        var realized = Realized(EstimatedMetric.Accuracy, analysis.Scores, analysis.Labels);

        Assert.True(auto.Calibrated);
        Assert.InRange(auto.Estimate(analysis.Scores).Value - realized, -0.04, 0.04);
        Assert.True(Math.Abs(raw.Estimate(analysis.Scores).Value - realized) > Math.Abs(auto.Estimate(analysis.Scores).Value - realized));
    }

    [Fact]
    public void Fit_CalibratedScores_DoesNotCalibrate()
    {
        var reference = Stream(6, 20_000, r => r.NextDouble());
        Assert.False(ConfidenceBasedPerformanceEstimator.Fit(reference.Scores, reference.Labels).Calibrated);
    }

    [Fact]
    public void Monitor_EstimatesEachChunk_AndTriggersWhenItFallsBelowTheReference()
    {
        var reference = Stream(7, 10_000, Confident);
        var estimator = ConfidenceBasedPerformanceEstimator.Fit(reference.Scores, reference.Labels, new PerformanceEstimatorOptions { Metric = EstimatedMetric.Accuracy, ChunkSize = 500 });
        var triggers = new List<RetrainingTrigger>();
        var monitor = new EstimatedPerformanceMonitor(estimator, triggers.Add);

        var estimates = Stream(8, 1_000, Confident).Scores.Select(monitor.RecordPrediction).OfType<PerformanceEstimate>().ToList();
        Assert.Equal(2, estimates.Count);
        Assert.Empty(triggers);

        estimates.AddRange(Stream(9, 500, Uncertain).Scores.Select(monitor.RecordPrediction).OfType<PerformanceEstimate>());
        var trigger = Assert.Single(triggers);
        Assert.Equal("performance-estimate", trigger.Kind);
        Assert.Equal("Accuracy", trigger.Evidence["metric"]);
        Assert.True(double.Parse(trigger.Evidence["estimate"], System.Globalization.CultureInfo.InvariantCulture) < double.Parse(trigger.Evidence["lower"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("below the reference range", trigger.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_ScoreThatIsNotAProbability_IsRefusedAndNotRecorded()
    {
        var reference = Stream(10, 2_000, Confident);
        var monitor = new EstimatedPerformanceMonitor(ConfidenceBasedPerformanceEstimator.Fit(reference.Scores, reference.Labels, new PerformanceEstimatorOptions { ChunkSize = 10 }), _ => { });
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.RecordPrediction(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.RecordPrediction(1.5));
        for (var i = 0; i < 9; i++)
        {
            Assert.Null(monitor.RecordPrediction(0.9));
        }

        Assert.NotNull(monitor.RecordPrediction(0.9));
    }

    [Fact]
    public void Fit_BadInputs_AreRefusedWithTheRowOrSetting()
    {
        var ok = Stream(11, 2_000, Confident);
        Assert.Contains("2000 scores but 1999 labels", Assert.Throws<ArgumentException>(() => ConfidenceBasedPerformanceEstimator.Fit(ok.Scores, ok.Labels[1..])).Message, StringComparison.Ordinal);
        var bad = ok.Scores.ToArray();
        bad[41] = 1.5;
        Assert.Contains("Score 42 is 1.5", Assert.Throws<ArgumentException>(() => ConfidenceBasedPerformanceEstimator.Fit(bad, ok.Labels)).Message, StringComparison.Ordinal);
        Assert.Contains("fewer than one chunk", Assert.Throws<ArgumentException>(() => ConfidenceBasedPerformanceEstimator.Fit(ok.Scores[..500], ok.Labels[..500])).Message, StringComparison.Ordinal);
        Assert.Contains("all negative", Assert.Throws<ArgumentException>(() => ConfidenceBasedPerformanceEstimator.Fit(ok.Scores, new bool[2_000])).Message, StringComparison.Ordinal);
        var options = Assert.Throws<OptionsValidationException>(() => ConfidenceBasedPerformanceEstimator.Fit(ok.Scores, ok.Labels, new PerformanceEstimatorOptions { ChunkSize = 1, DecisionThreshold = 1 }));
        Assert.Contains("ChunkSize", options.Message, StringComparison.Ordinal);
        Assert.Contains("DecisionThreshold", options.Message, StringComparison.Ordinal);
        Assert.Contains("fewer than 6", Assert.Single(ConfidenceBasedPerformanceEstimator.Fit(ok.Scores, ok.Labels).Warnings), StringComparison.Ordinal);
    }
}
