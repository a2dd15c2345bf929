namespace ModelRetraining;

/// <summary>How a promotion that needs people is approved: quorum, deadline, what the deadline does, four-eyes.</summary>
public sealed class ApprovalPolicy
{
    /// <summary>Gets or sets the number of distinct approvers needed.</summary>
    /// <value>The default value is 1.</value>
    public int Quorum { get; set; } = 1;

    /// <summary>Gets or sets how long the request waits; <see langword="null"/> for no deadline.</summary>
    /// <value>The default value is 72 hours.</value>
    public TimeSpan? Deadline { get; set; } = TimeSpan.FromHours(72);

    /// <summary>Gets or sets a value indicating whether the deadline escalates the request (it keeps waiting, marked escalated) instead of rejecting it.</summary>
    /// <value>The default value is <see langword="false"/>: the deadline rejects.</value>
    public bool EscalateOnExpiry { get; set; }

    /// <summary>Gets or sets a value indicating whether the person who started the run is barred from approving it.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool FourEyes { get; set; } = true;

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Quorum < 1)
        {
            errors.Add($"{nameof(Quorum)} must be 1 or more; it is {Quorum}.");
        }

        if (Deadline is { } deadline && deadline <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(Deadline)} must be positive; it is {deadline}.");
        }

        return errors;
    }
}
