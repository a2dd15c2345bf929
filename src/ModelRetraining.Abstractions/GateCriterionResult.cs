namespace ModelRetraining;

/// <summary>One row of a promotion decision: one criterion, its numbers and its verdict.</summary>
/// <param name="Criterion">The criterion, such as <c>AUC at least</c>.</param>
/// <param name="Metric">The metric judged, if the criterion is about one.</param>
/// <param name="Passed">Whether the criterion passed.</param>
/// <param name="Explanation">A sentence a person can read.</param>
public sealed record GateCriterionResult(string Criterion, string? Metric, bool Passed, string Explanation)
{
    /// <summary>Gets the candidate's value of the metric.</summary>
    public double? CandidateValue { get; init; }

    /// <summary>Gets the champion's value of the metric, when there is a champion.</summary>
    public double? ChampionValue { get; init; }

    /// <summary>Gets candidate minus champion, when both are known.</summary>
    public double? Difference { get; init; }

    /// <summary>Gets the lower end of the confidence interval of the difference, where a test computed one.</summary>
    public double? ConfidenceLower { get; init; }

    /// <summary>Gets the upper end of the confidence interval of the difference, where a test computed one.</summary>
    public double? ConfidenceUpper { get; init; }

    /// <summary>Gets the test's p-value, where a test computed one.</summary>
    public double? PValue { get; init; }

    /// <summary>Gets the limit the value or the difference was held to, in words (<c>≥ 0.60</c>, <c>≥ -0.005</c>).</summary>
    public string? Limit { get; init; }

    /// <summary>One line: passed or failed, the criterion and its explanation with the numbers.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => $"{(Passed ? "pass" : "FAIL")}  {Criterion}: {Explanation}";
}
