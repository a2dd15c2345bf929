namespace ModelRetraining;

/// <summary>A registered version waiting for people to approve its promotion. No thread or job waits with it: it is a row in the registry.</summary>
/// <param name="Id">The request id (the run id).</param>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version to promote.</param>
/// <param name="ExpectedChampion">The champion when the run decided; the promotion moves the alias from it.</param>
/// <param name="RequestedBy">Who started the run.</param>
/// <param name="RequestedAt">When.</param>
public sealed record ApprovalRequest(string Id, string ModelName, int Version, int? ExpectedChampion, string RequestedBy, DateTimeOffset RequestedAt)
{
    /// <summary>Gets the number of distinct approvers needed.</summary>
    public int Quorum { get; init; } = 1;

    /// <summary>Gets the deadline, if any.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Gets a value indicating whether the deadline escalates (true) or rejects (false).</summary>
    public bool EscalateOnExpiry { get; init; }

    /// <summary>Gets a value indicating whether the person who started the run may not approve it.</summary>
    public bool FourEyes { get; init; } = true;

    /// <summary>Gets the status.</summary>
    public ApprovalStatus Status { get; init; } = ApprovalStatus.Pending;

    /// <summary>Gets the votes so far.</summary>
    public IReadOnlyList<ApprovalVote> Votes { get; init; } = [];

    /// <summary>Gets the store's revision of the request, for optimistic updates.</summary>
    public long Revision { get; init; }

    /// <summary>
    /// Gets why the last approval to quorum could not take effect (the champion moved first), or
    /// <see langword="null"/>. The request is then pending again, against the new champion, and needs a
    /// new decision; the earlier votes are in the version's audit trail.
    /// </summary>
    public string? Conflict { get; init; }
}
