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
}
