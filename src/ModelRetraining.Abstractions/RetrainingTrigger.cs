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

    /// <summary>
    /// Gets the identity of one firing of a schedule (its trigger and the time it was due), or <see langword="null"/>
    /// for a trigger that is not a scheduler's firing. A coordinator derives the run id from it, so a firing that
    /// a scheduler delivers twice (two nodes of a cluster, one of them thought dead while it was only slow) starts
    /// one run: the journal's claim refuses the second run id.
    /// </summary>
    public string? FiringId { get; init; }
}
