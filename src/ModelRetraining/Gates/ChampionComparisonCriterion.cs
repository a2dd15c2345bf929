namespace ModelRetraining;

/// <summary>
/// The candidate may be at most <c>margin</c> worse than the champion on a metric, in the metric's own
/// direction (a margin of 0 means "at least as good"). This is a non-inferiority test on the point values.
/// </summary>
internal sealed class ChampionComparisonCriterion(string metric, double margin) : GateCriterion
{
    public override string Metric => metric;

    public override bool ComparesWithChampion => true;

    public override GateCriterionResult Judge(EvaluationReport report, FirstRunPolicy firstRunPolicy)
    {
        var name = $"{metric} no worse than champion";
        if (MissingMetric(name, metric, report.Candidate, "candidate") is { } missingCandidate)
        {
            return missingCandidate;
        }

        var candidate = report.Candidate.Metrics[metric];
        // "difference >= 0", never "difference >= -0".
        var limit = candidate.Direction == MetricDirection.HigherIsBetter ? $"difference >= {Number(margin == 0 ? 0 : -margin)}" : $"difference <= {Number(margin)}";
        if (report.Champion is null)
        {
            return firstRunPolicy switch
            {
                FirstRunPolicy.Block => new GateCriterionResult(name, metric, false, $"no baseline: there is no champion to compare {metric} with, and the first-run policy is Block.")
                { CandidateValue = candidate.Value, Limit = limit },
                _ => new GateCriterionResult(name, metric, true, $"no baseline: there is no champion yet, so the comparison of {metric} was skipped (first-run policy {firstRunPolicy}).")
                { CandidateValue = candidate.Value, Limit = limit },
            };
        }

        if (MissingMetric(name, metric, report.Champion, "champion") is { } missingChampion)
        {
            return missingChampion with { CandidateValue = candidate.Value, Limit = limit };
        }

        var champion = report.Champion.Metrics[metric].Value;
        var difference = candidate.Value - champion;
        var improvement = MetricValue.Improvement(candidate.Value, champion, candidate.Direction);
        var passed = !double.IsNaN(improvement) && improvement >= -margin;
        var better = candidate.Direction == MetricDirection.HigherIsBetter ? "higher" : "lower";
        var explanation = passed
            ? $"{metric} {Number(candidate.Value)} against champion {Number(champion)}: difference {Number(difference)} is within the allowed {limit} ({better} is better): passed."
            : double.IsNaN(improvement)
                ? $"{metric} of the candidate ({Number(candidate.Value)}) or the champion ({Number(champion)}) is not a number, so the comparison cannot be made: failed closed."
            : $"{metric} {Number(candidate.Value)} against champion {Number(champion)}: difference {Number(difference)} breaks the limit {limit} ({better} is better): failed.";
        return new GateCriterionResult(name, metric, passed, explanation)
        {
            CandidateValue = candidate.Value,
            ChampionValue = champion,
            Difference = difference,
            Limit = limit,
        };
    }
}
