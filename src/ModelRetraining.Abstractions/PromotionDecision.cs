namespace ModelRetraining;

/// <summary>A promotion gate's decision, criterion by criterion.</summary>
/// <param name="Outcome">The verdict.</param>
/// <param name="Criteria">Every criterion judged, passed or not.</param>
public sealed record PromotionDecision(PromotionOutcome Outcome, IReadOnlyList<GateCriterionResult> Criteria)
{
    /// <summary>Gets a value indicating whether the decision was taken without a champion to compare with.</summary>
    public bool NoBaseline { get; init; }

    /// <summary>Gets the first-run policy applied, when <see cref="NoBaseline"/> is set.</summary>
    public string? FirstRunPolicy { get; init; }

    /// <summary>Gets the explanations of the criteria that failed.</summary>
    public IReadOnlyList<string> Reasons => Criteria.Where(c => !c.Passed).Select(c => c.Explanation).ToArray();

    /// <summary>The decision table: the outcome, then one line per criterion (failed ones marked), as a person reads it.</summary>
    /// <returns>The table.</returns>
    public override string ToString()
    {
        var lines = new System.Text.StringBuilder();
        lines.Append(Outcome).Append(NoBaseline ? " (no champion to compare with" + (FirstRunPolicy is null ? ")" : $"; first-run policy {FirstRunPolicy})") : string.Empty);
        foreach (var criterion in Criteria)
        {
            lines.Append('\n').Append("  ").Append(criterion);
        }

        return lines.ToString();
    }
}
