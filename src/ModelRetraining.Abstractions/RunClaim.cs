namespace ModelRetraining;

/// <summary>
/// Who runs one attempt of a run. A run is claimed before it starts or resumes, so of two processes
/// resuming the same run one wins and the other is told who holds it, and an attempt whose claim was
/// taken over by a later one stops before it writes (it is fenced).
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelName">The model.</param>
/// <param name="Attempt">The attempt: 1 for the first start, then one more for each resume.</param>
/// <param name="Holder">Who runs it: machine, process and pipeline instance.</param>
/// <param name="At">When the claim was made, or last renewed (a running attempt renews it; see <see cref="IRunJournal.RenewClaimAsync"/>).</param>
public sealed record RunClaim(string RunId, string ModelName, int Attempt, string Holder, DateTimeOffset At);
