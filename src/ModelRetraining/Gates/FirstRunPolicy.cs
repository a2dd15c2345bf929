namespace ModelRetraining;

/// <summary>What a gate does with criteria that compare with the champion when there is no champion yet. The policy applied is always recorded in the decision.</summary>
public enum FirstRunPolicy
{
    /// <summary>Judge value thresholds only; comparisons are recorded as skipped (no baseline).</summary>
    ValueThresholdsOnly = 0,

    /// <summary>Reject: nothing is promoted without a champion to compare with.</summary>
    Block = 1,

    /// <summary>Judge value thresholds, then leave the decision to a person.</summary>
    RequireApproval = 2,
}
