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
    /// <param name="step">The step analysed (0 for shadow and A/B).</param>
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

        if (options.MaxLatencyP99 is { } budget && challenger.LatencyP99Milliseconds > budget.TotalMilliseconds)
        {
            reasons.Add(FormattableString.Invariant($"p99 latency {challenger.LatencyP99Milliseconds:0.###} ms exceeds the budget of {budget.TotalMilliseconds:0.###} ms"));
        }

        if (challenger.Requests - challenger.Errors >= 100 && champion.Requests >= 100
            && challenger.LatencyP99Milliseconds > options.MaxLatencyRatio * champion.LatencyP99Milliseconds
            && challenger.LatencyP99Milliseconds - champion.LatencyP99Milliseconds > options.MinLatencyIncrease.TotalMilliseconds)
        {
            reasons.Add(FormattableString.Invariant($"p99 latency {challenger.LatencyP99Milliseconds:0.###} ms is over {options.MaxLatencyRatio}× the champion's {champion.LatencyP99Milliseconds:0.###} ms (and {options.MinLatencyIncrease.TotalMilliseconds:0.###} ms more)"));
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

        // Non-inferiority of the challenger's accuracy with a one-sided (1 − α) bound on the difference.
        var difference = challenger.Accuracy - champion.Accuracy;
        var error = Math.Sqrt((challenger.Accuracy * (1 - challenger.Accuracy) / challenger.Outcomes) + (champion.Accuracy * (1 - champion.Accuracy) / champion.Outcomes));
        var z = ScoreMetrics.NormalQuantile(1 - options.Alpha);
        var (lower, upper) = (difference - (z * error), difference + (z * error));
        var summary = FormattableString.Invariant($"accuracy {challenger.Accuracy:0.####} ({challenger.Outcomes} outcomes) vs champion {champion.Accuracy:0.####} ({champion.Outcomes}): difference {difference:+0.####;-0.####;0} [{lower:+0.####;-0.####;0}, {upper:+0.####;-0.####;0}] at {(1 - options.Alpha) * 100:0.##}%, margin −{options.AccuracyTolerance}");
        reasons.Add(summary);
        var outcome = upper < -options.AccuracyTolerance
            ? AnalysisOutcome.Failed
            : lower >= -options.AccuracyTolerance ? AnalysisOutcome.Successful : AnalysisOutcome.Inconclusive;
        return new RolloutAnalysis(step, share, champion, challenger, outcome, reasons, at);
    }
}
