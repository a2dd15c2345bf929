namespace ModelRetraining.Serving;

/// <summary>A snapshot of a rollout.</summary>
/// <param name="Mode">Shadow, A/B or canary.</param>
/// <param name="ChampionVersion">The champion the challenger is tried against.</param>
/// <param name="ChallengerVersion">The challenger.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Step">The current step, counted from 1 as in every message (always 1 outside a canary).</param>
/// <param name="ChallengerShare">The challenger's current share of traffic (0 for a shadow, and after a rollback or a stop).</param>
/// <param name="Analyses">Every analysis so far that was not <see cref="AnalysisOutcome.Waiting"/>, oldest first.</param>
public sealed record RolloutState(RolloutMode Mode, int ChampionVersion, int ChallengerVersion, RolloutStatus Status, int Step, double ChallengerShare, IReadOnlyList<RolloutAnalysis> Analyses)
{
    /// <summary>Gets the better version once an A/B test has concluded.</summary>
    public int? Winner { get; init; }

    /// <summary>Gets who or what moved the rollout to its status last, and why.</summary>
    public string? LastChange { get; init; }
}
