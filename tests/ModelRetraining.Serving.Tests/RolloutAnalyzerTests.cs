namespace ModelRetraining.Serving.Tests;

/// <summary>The rollout analyzer on its own: arm figures in, a decision with its reasons out; no model, no clock, no server.</summary>
public class RolloutAnalyzerTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static ArmStatistics Arm(int version, long requests, long outcomes, double accuracy, double p99 = 1, long errors = 0)
        => new(version, requests, errors, outcomes, accuracy, p99)
        {
            Correct = (long)Math.Round(accuracy * outcomes),
            LatencySamples = requests - errors,
            LatencyP99LowerMilliseconds = p99,
            LatencyP99UpperMilliseconds = p99,
        };

    [Fact]
    public void Canary_ChallengerClearlyNotWorse_IsSuccessful()
    {
        var analysis = RolloutAnalyzer.Analyze(new RolloutOptions(), 0, 0.05, Arm(1, 20_000, 20_000, 0.80), Arm(2, 20_000, 20_000, 0.81), null, At);

        Assert.Equal(AnalysisOutcome.Successful, analysis.Outcome);
        Assert.Contains("accuracy 0.81 (20000 outcomes) vs champion 0.8 (20000)", analysis.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Canary_ChallengerWorseBeyondTheMargin_FailsWithTheBound()
    {
        var analysis = RolloutAnalyzer.Analyze(new RolloutOptions(), 1, 0.25, Arm(1, 5_000, 5_000, 0.80), Arm(2, 5_000, 5_000, 0.70), null, At);

        Assert.Equal(AnalysisOutcome.Failed, analysis.Outcome);
        Assert.Equal(1, analysis.Step);
        Assert.Contains("margin −0.02", analysis.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Canary_TooCloseToCall_IsInconclusive()
    {
        var analysis = RolloutAnalyzer.Analyze(new RolloutOptions(), 0, 0.05, Arm(1, 300, 300, 0.80), Arm(2, 300, 300, 0.79), null, At);

        Assert.Equal(AnalysisOutcome.Inconclusive, analysis.Outcome);
    }

    [Fact]
    public void TooFewOutcomes_Waits_SayingHowManyEachArmHas()
    {
        var analysis = RolloutAnalyzer.Analyze(new RolloutOptions { MinOutcomes = 200 }, 0, 0.05, Arm(1, 1_000, 500, 0.8), Arm(2, 60, 50, 0.9), null, At);

        Assert.Equal(AnalysisOutcome.Waiting, analysis.Outcome);
        Assert.Equal("waiting for 200 outcomes per arm (champion 500, challenger 50)", Assert.Single(analysis.Reasons));
    }

    [Fact]
    public void ErrorRateAboveTheLimit_FailsAtOnce_EvenWithoutOutcomes()
    {
        var analysis = RolloutAnalyzer.Analyze(new RolloutOptions { MaxErrorRate = 0.01 }, 0, 0.05, Arm(1, 1_000, 0, double.NaN), Arm(2, 100, 0, double.NaN, errors: 5), null, At);

        Assert.Equal(AnalysisOutcome.Failed, analysis.Outcome);
        Assert.Contains("error rate 5.00% (5 of 100) exceeds 1.00%", analysis.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void LatencyOverTheBudget_Fails_NamingTheBudget()
    {
        var analysis = RolloutAnalyzer.Analyze(new RolloutOptions { MaxLatencyP99 = TimeSpan.FromMilliseconds(5) }, 1, 0.05, Arm(1, 1_000, 0, double.NaN, p99: 1), Arm(2, 1_000, 0, double.NaN, p99: 9), null, At);

        Assert.Equal(AnalysisOutcome.Failed, analysis.Outcome);
        Assert.StartsWith("p99 latency 9 ms (at least 9 ms at 95% confidence, 1000 calls)", analysis.Reasons[0], StringComparison.Ordinal);
        Assert.EndsWith("exceeds the budget of 5 ms", analysis.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void LatencyFromTooFewCalls_IsNotJudged()
    {
        // 50 calls: their p99 is the slowest call or so; neither the budget nor the ratio is judged on it.
        var options = new RolloutOptions { MaxLatencyP99 = TimeSpan.FromMilliseconds(5) };
        var analysis = RolloutAnalyzer.Analyze(options, 1, 0.05, Arm(1, 1_000, 0, double.NaN, p99: 1), Arm(2, 50, 0, double.NaN, p99: 90), null, At);
        Assert.Equal(AnalysisOutcome.Waiting, analysis.Outcome);
    }

    [Fact]
    public void LatencyRatio_IsJudgedOnTheBounds_NotOnThePoints()
    {
        // Points 2.5× apart, but the champion's upper bound is close to the challenger's lower bound: not shown slower.
        var champion = Arm(1, 5_000, 0, double.NaN, p99: 2) with { LatencyP99UpperMilliseconds = 3 };
        var close = Arm(2, 1_000, 0, double.NaN, p99: 5) with { LatencyP99LowerMilliseconds = 5.5 };
        Assert.Equal(AnalysisOutcome.Waiting, RolloutAnalyzer.Analyze(new RolloutOptions(), 1, 0.05, champion, close with { LatencyP99LowerMilliseconds = 5 }, null, At).Outcome);
        var slower = RolloutAnalyzer.Analyze(new RolloutOptions(), 1, 0.05, champion, close with { LatencyP99LowerMilliseconds = 6.5 }, null, At);
        Assert.Equal(AnalysisOutcome.Failed, slower.Outcome);
        Assert.Contains("at most 3 ms, 5000 calls", slower.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AbTest_PValueBelowAlpha_IsSuccessful_AndAboveIsInconclusive()
    {
        var options = new RolloutOptions { Mode = RolloutMode.AbTest, Alpha = 0.05 };

        var decided = RolloutAnalyzer.Analyze(options, 0, 0.5, Arm(1, 5_000, 5_000, 0.80), Arm(2, 5_000, 5_000, 0.84), 0.001, At);
        var open = RolloutAnalyzer.Analyze(options, 0, 0.5, Arm(1, 5_000, 5_000, 0.80), Arm(2, 5_000, 5_000, 0.80), 0.6, At);

        Assert.Equal(AnalysisOutcome.Successful, decided.Outcome);
        Assert.Equal(0.001, decided.SequentialPValue);
        Assert.Equal(AnalysisOutcome.Inconclusive, open.Outcome);
    }
}
