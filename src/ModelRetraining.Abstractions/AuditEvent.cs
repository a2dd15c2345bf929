namespace ModelRetraining;

/// <summary>One change to the registry: who, when, what, from, to and why.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Action">What happened: <c>model.created</c>, <c>version.registered</c>, <c>alias.moved</c>, <c>alias.rollback</c>, <c>tag.set</c>.</param>
/// <param name="Subject">What it happened to: <c>v3</c>, <c>champion</c>.</param>
/// <param name="Actor">Who.</param>
/// <param name="At">When.</param>
public sealed record AuditEvent(string ModelName, string Action, string Subject, string Actor, DateTimeOffset At)
{
    /// <summary>Gets the registry-wide order of the event.</summary>
    public long Sequence { get; init; }

    /// <summary>Gets the value before, if any.</summary>
    public string? From { get; init; }

    /// <summary>Gets the value after, if any.</summary>
    public string? To { get; init; }

    /// <summary>Gets why.</summary>
    public string? Reason { get; init; }
}
