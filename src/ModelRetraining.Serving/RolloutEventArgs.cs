namespace ModelRetraining.Serving;

/// <summary>A rollout changed: a step, a pause, a promotion, a rollback, a conclusion or a stop.</summary>
/// <param name="state">The rollout after the change.</param>
/// <param name="analysis">The analysis that caused it, if one did.</param>
public sealed class RolloutEventArgs(RolloutState state, RolloutAnalysis? analysis) : EventArgs
{
    /// <summary>Gets the rollout after the change.</summary>
    public RolloutState State { get; } = state;

    /// <summary>Gets the analysis that caused the change, if one did.</summary>
    public RolloutAnalysis? Analysis { get; } = analysis;
}
