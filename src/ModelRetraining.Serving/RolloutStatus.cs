namespace ModelRetraining.Serving;

/// <summary>Where a rollout stands.</summary>
public enum RolloutStatus
{
    /// <summary>Traffic flows as the rollout says and analyses run.</summary>
    Running = 0,

    /// <summary>An analysis was inconclusive: the traffic split stays, and a person resumes, promotes or stops the rollout.</summary>
    Paused = 1,

    /// <summary>The challenger became the champion.</summary>
    Promoted = 2,

    /// <summary>An analysis failed: all traffic went back to the champion and the challenger was marked.</summary>
    RolledBack = 3,

    /// <summary>An A/B test reached a decision (see <see cref="RolloutState.Winner"/>); traffic is split until it is stopped or the winner is promoted.</summary>
    Concluded = 4,

    /// <summary>Stopped by a person, or because the champion moved under it; all traffic goes to the champion.</summary>
    Stopped = 5,
}
