namespace ModelRetraining.Serving;

/// <summary>What one rollout analysis found, as Argo Rollouts distinguishes them.</summary>
public enum AnalysisOutcome
{
    /// <summary>Too few outcomes yet to judge; nothing changes.</summary>
    Waiting = 0,

    /// <summary>The challenger is within the limits: a canary moves to its next step (or is promoted after the last).</summary>
    Successful = 1,

    /// <summary>The challenger is past a limit: the rollout rolls back.</summary>
    Failed = 2,

    /// <summary>The evidence is neither good nor bad enough: a canary pauses for a person.</summary>
    Inconclusive = 3,
}
