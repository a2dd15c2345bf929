namespace ModelRetraining.Serving;

/// <summary>
/// Decides one analysis of a rollout from the arms' figures alone — no model, no clock, no state: errors
/// and latency first (they need no outcomes), then enough outcomes per arm, then either the A/B test's
/// always-valid p-value or the canary's non-inferiority bound on the accuracy difference.
/// </summary>
internal static class RolloutAnalyzer
{
    /// <summary>Judges a step of a rollout.</summary>
    /// <param name="options">The rollout's thresholds.</param>
    /// <param name="step">The step analysed, counted from 1 (1 for shadow and A/B).</param>
    /// <param name="share">The challenger's share of traffic at that step.</param>
    /// <param name="champion">The champion's figures.</param>
    /// <param name="challenger">The challenger's figures.</param>
    /// <param name="pValue">The sequential test's p-value after these figures (A/B only).</param>
    /// <param name="at">When the analysis is made.</param>
    /// <returns>The analysis: outcome and reasons with the numbers.</returns>
    public static RolloutAnalysis Analyze(RolloutOptions options, int step, double share, ArmStatistics champion, ArmStatistics challenger, double? pValue, DateTimeOffset at)
    {
        var reasons = new List<string>();

        // Errors and latency first: they need no outcomes, and a broken or slow challenger fails at once.
        if (challenger.Requests > 0 && challenger.ErrorRate > options.MaxErrorRate)
        {
            reasons.Add(FormattableString.Invariant($"error rate {challenger.ErrorRate * 100:0.00}% ({challenger.Errors} of {challenger.Requests}) exceeds {options.MaxErrorRate * 100:0.00}%"));
        }

        // Latency is judged only with enough calls on both arms for a p99, over the same step with the same
        // warm-up, and on confidence bounds: it fails when even the challenger's lower bound is over the
        // limit the champion's upper bound sets, so neither arm's one slow call decides.
        var enoughChallenger = challenger.LatencySamples >= options.MinLatencySamples;
        if (options.MaxLatencyP99 is { } budget && enoughChallenger && challenger.LatencyP99LowerMilliseconds > budget.TotalMilliseconds)
        {
            reasons.Add(FormattableString.Invariant($"p99 latency {challenger.LatencyP99Milliseconds:0.###} ms (at least {challenger.LatencyP99LowerMilliseconds:0.###} ms at {(1 - options.Alpha) * 100:0.##}% confidence, {challenger.LatencySamples} calls) exceeds the budget of {budget.TotalMilliseconds:0.###} ms"));
        }

        if (enoughChallenger && champion.LatencySamples >= options.MinLatencySamples
            && challenger.LatencyP99LowerMilliseconds > options.MaxLatencyRatio * champion.LatencyP99UpperMilliseconds
            && challenger.LatencyP99Milliseconds - champion.LatencyP99Milliseconds > options.MinLatencyIncrease.TotalMilliseconds)
        {
            reasons.Add(FormattableString.Invariant($"p99 latency {challenger.LatencyP99Milliseconds:0.###} ms (at least {challenger.LatencyP99LowerMilliseconds:0.###} ms, {challenger.LatencySamples} calls) is over {options.MaxLatencyRatio}× the champion's {champion.LatencyP99Milliseconds:0.###} ms (at most {champion.LatencyP99UpperMilliseconds:0.###} ms, {champion.LatencySamples} calls) and {options.MinLatencyIncrease.TotalMilliseconds:0.###} ms more"));
        }

        if (reasons.Count > 0)
        {
            return new RolloutAnalysis(step, share, champion, challenger, AnalysisOutcome.Failed, reasons, at) { SequentialPValue = pValue };
        }

        if (champion.Outcomes < options.MinOutcomes || challenger.Outcomes < options.MinOutcomes)
        {
            return new RolloutAnalysis(step, share, champion, challenger, AnalysisOutcome.Waiting, [$"waiting for {options.MinOutcomes} outcomes per arm (champion {champion.Outcomes}, challenger {challenger.Outcomes})"], at) { SequentialPValue = pValue };
        }

        if (options.Mode == RolloutMode.AbTest)
        {
            var decided = pValue <= options.Alpha;
            reasons.Add(FormattableString.Invariant($"accuracy {challenger.Accuracy:0.####} vs champion {champion.Accuracy:0.####}, always-valid p = {pValue:G3} {(decided ? "<" : "≥")} α = {options.Alpha}"));
            return new RolloutAnalysis(step, share, champion, challenger, decided ? AnalysisOutcome.Successful : AnalysisOutcome.Inconclusive, reasons, at) { SequentialPValue = pValue };
        }

        // Non-inferiority of the challenger's accuracy on a confidence sequence for the difference: a bound
        // valid at every analysis however often one looks (normal mixture, Robbins; asymptotic), so evidence
        // may accumulate over pauses and resumes without the error rate growing with each look.
        var difference = challenger.Accuracy - champion.Accuracy;
        var (lower, upper) = ConfidenceSequence(difference, champion, challenger, options);
        var summary = FormattableString.Invariant($"accuracy {challenger.Accuracy:0.####} ({challenger.Outcomes} outcomes) vs champion {champion.Accuracy:0.####} ({champion.Outcomes}): difference {difference:+0.####;-0.####;0} [{lower:+0.####;-0.####;0}, {upper:+0.####;-0.####;0}] at {(1 - options.Alpha) * 100:0.##}% (valid at every look), margin −{options.AccuracyTolerance}");
        reasons.Add(summary);
        var outcome = upper < -options.AccuracyTolerance
            ? AnalysisOutcome.Failed
            : lower >= -options.AccuracyTolerance ? AnalysisOutcome.Successful : AnalysisOutcome.Inconclusive;
        return new RolloutAnalysis(step, share, champion, challenger, outcome, reasons, at);
    }

    // One-sided bounds of the normal-mixture confidence sequence: with information τ = 1/Var(difference)
    // and mixing precision r, the difference lies within sqrt((τ + r)(ln(1 + τ/r) + 2 ln(1/α))) / τ of its
    // estimate at all times with probability 1 − α per side. r is the information at MinOutcomes outcomes per
    // arm (accuracies near 1/2), so the bound is tightest where the first decision can be made.
    internal static (double Lower, double Upper) ConfidenceSequence(double difference, ArmStatistics champion, ArmStatistics challenger, RolloutOptions options)
    {
        static double Variance(ArmStatistics arm)
        {
            var p = Math.Clamp(arm.Accuracy, 0.5 / arm.Outcomes, 1 - (0.5 / arm.Outcomes));
            return p * (1 - p) / arm.Outcomes;
        }

        var information = 1 / (Variance(champion) + Variance(challenger));
        var mixing = 2.0 * options.MinOutcomes;
        var half = Math.Sqrt((information + mixing) * (Math.Log(1 + (information / mixing)) + (2 * Math.Log(1 / options.Alpha)))) / information;
        return (difference - half, difference + half);
    }
}
