namespace ModelRetraining;

/// <summary>One person's approval or rejection.</summary>
/// <param name="Identity">Who.</param>
/// <param name="Approved">Approve (true) or reject (false).</param>
/// <param name="Comment">Why.</param>
/// <param name="At">When.</param>
public sealed record ApprovalVote(string Identity, bool Approved, string Comment, DateTimeOffset At);
