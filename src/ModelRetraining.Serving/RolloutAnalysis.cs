namespace ModelRetraining.Serving;

/// <summary>One analysis of a rollout: the two arms' figures over the step, the outcome, and why.</summary>
/// <param name="Step">The step analysed, counted from 1 as in every message (always 1 outside a canary).</param>
/// <param name="ChallengerShare">The challenger's share of traffic during the step (0 for a shadow).</param>
/// <param name="Champion">The champion's figures.</param>
/// <param name="Challenger">The challenger's figures.</param>
/// <param name="Outcome">What the analysis found.</param>
/// <param name="Reasons">Why, with the numbers.</param>
/// <param name="At">When it ran.</param>
public sealed record RolloutAnalysis(int Step, double ChallengerShare, ArmStatistics Champion, ArmStatistics Challenger, AnalysisOutcome Outcome, IReadOnlyList<string> Reasons, DateTimeOffset At)
{
    /// <summary>Gets the always-valid p-value of the A/B test after this analysis (mixture SPRT); <see langword="null"/> outside an A/B test.</summary>
    public double? SequentialPValue { get; init; }

    /// <inheritdoc />
    public override string ToString()
        => FormattableString.Invariant($"step {Step} ({ChallengerShare * 100:0.##}% to the challenger): {Outcome}: {string.Join("; ", Reasons)} [champion {Champion}; challenger {Challenger}]");
}
