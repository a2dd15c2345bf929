namespace ModelRetraining;

/// <summary>How a retraining run ended.</summary>
public enum RetrainingRunStatus
{
    /// <summary>The candidate was registered and promoted.</summary>
    Succeeded = 0,

    /// <summary>A normal, explained refusal: the data or the candidate did not meet the bar.</summary>
    Rejected = 1,

    /// <summary>A stage threw; the result names the stage and the exception.</summary>
    Failed = 2,

    /// <summary>The caller cancelled the run.</summary>
    Cancelled = 3,

    /// <summary>A gate asked for a person's approval; the candidate is registered but not promoted.</summary>
    AwaitingApproval = 4,
}
