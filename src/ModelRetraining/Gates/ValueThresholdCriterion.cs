namespace ModelRetraining;

/// <summary>The candidate's metric must lie within [lower, upper], inclusive.</summary>
internal sealed class ValueThresholdCriterion(string metric, double? lower, double? upper) : GateCriterion
{
    public override string Metric => metric;

    public override bool ComparesWithChampion => false;

    public override GateCriterionResult Judge(EvaluationReport report, FirstRunPolicy firstRunPolicy)
    {
        var name = (lower, upper) switch
        {
            ({ }, null) => $"{metric} at least",
            (null, { }) => $"{metric} at most",
            _ => $"{metric} between",
        };
        var limit = (lower, upper) switch
        {
            ({ } l, null) => $">= {Number(l)}",
            (null, { } u) => $"<= {Number(u)}",
            ({ } l, { } u) => $"in [{Number(l)}, {Number(u)}]",
            _ => string.Empty,
        };
        if (MissingMetric(name, metric, report.Candidate, "candidate") is { } missing)
        {
            return missing with { Limit = limit };
        }

        var value = report.Candidate.Metrics[metric].Value;
        var champion = report.Champion?.Metrics.GetValueOrDefault(metric)?.Value;
        var passed = !double.IsNaN(value) && (lower is not { } lo || value >= lo) && (upper is not { } hi || value <= hi);
        var explanation = passed
            ? $"{metric} {Number(value)} is {limit}: passed."
            : double.IsNaN(value)
                ? $"{metric} is not a number (NaN: the metric could not be computed on this holdout), so it cannot be shown to be {limit}: failed closed."
                : $"{metric} {Number(value)} is not {limit}: failed.";
        return new GateCriterionResult(name, metric, passed, explanation)
        {
            CandidateValue = value,
            ChampionValue = champion,
            Difference = champion is { } c ? value - c : null,
            Limit = limit,
        };
    }
}
