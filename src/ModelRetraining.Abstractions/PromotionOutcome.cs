namespace ModelRetraining;

/// <summary>What a promotion gate decided.</summary>
public enum PromotionOutcome
{
    /// <summary>The candidate may become champion.</summary>
    Approved = 0,

    /// <summary>The candidate must not become champion.</summary>
    Rejected = 1,

    /// <summary>A person must decide.</summary>
    PendingApproval = 2,
}
