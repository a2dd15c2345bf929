namespace ModelRetraining;

/// <summary>Where an approval request stands.</summary>
public enum ApprovalStatus
{
    /// <summary>Waiting for approvers.</summary>
    Pending = 0,

    /// <summary>The quorum approved; the version was promoted.</summary>
    Approved = 1,

    /// <summary>An approver rejected it.</summary>
    Rejected = 2,

    /// <summary>The deadline passed and the policy rejected it.</summary>
    Expired = 3,

    /// <summary>The deadline passed and the policy escalated it; it still waits, for the escalation approvers.</summary>
    Escalated = 4,
}
