namespace ModelRetraining;

/// <summary>Why a run was asked for: the kind of trigger, a sentence, who or what asked, and the evidence.</summary>
/// <param name="Kind">The trigger kind: <c>cron</c>, <c>interval</c>, <c>new-data</c>, <c>drift</c>, <c>performance</c>, <c>manual</c>.</param>
/// <param name="Reason">A sentence for people.</param>
/// <param name="Actor">The identity or component that fired it.</param>
/// <param name="At">When it fired.</param>
public sealed record RetrainingTrigger(string Kind, string Reason, string Actor, DateTimeOffset At)
{
    /// <summary>Gets the evidence (a drift score, a row count, a detector's state), by name.</summary>
    public IReadOnlyDictionary<string, string> Evidence { get; init; } = new Dictionary<string, string>();
}
