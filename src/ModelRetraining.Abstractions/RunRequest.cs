namespace ModelRetraining;

/// <summary>
/// An operator's request about one run, kept where the run journal is so that a command line or a dashboard
/// on any machine can ask, and the host that holds (or may resume) the run acts on it: a cancel is honoured
/// by the run's holder at its next lease renewal, a resume by a host's resume sweep. A request stays open
/// until a host closes it with what it did.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelName">The run's model.</param>
/// <param name="Kind">Cancel or resume.</param>
/// <param name="Actor">Who asked.</param>
/// <param name="Reason">Why (required: it is audited and shown to whoever looks at the run).</param>
/// <param name="At">When it was asked.</param>
public sealed record RunRequest(string RunId, string ModelName, RunRequestKind Kind, string Actor, string Reason, DateTimeOffset At)
{
    /// <summary>Gets when a host closed the request, or <see langword="null"/> while it is open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Gets what the host did (the run's new status, or why it could not act), or <see langword="null"/> while open.</summary>
    public string? Outcome { get; init; }
}
