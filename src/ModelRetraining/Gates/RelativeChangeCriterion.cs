namespace ModelRetraining;

/// <summary>
/// The candidate's change against the champion, relative to the champion: (candidate − champion) / |champion|,
/// turned so that positive means better, must be at least <c>minimum</c> (negative: a tolerated relative loss).
/// A champion value of 0 makes the ratio undefined; that is said, and only the sign of the change decides.
/// </summary>
internal sealed class RelativeChangeCriterion(string metric, double minimum) : GateCriterion
{
    public override string Metric => metric;

    public override bool ComparesWithChampion => true;

    public override GateCriterionResult Judge(EvaluationReport report, FirstRunPolicy firstRunPolicy)
    {
        var name = $"{metric} relative change against champion";
        var limit = $"relative improvement >= {Number(minimum)}";
        if (MissingMetric(name, metric, report.Candidate, "candidate") is { } missing)
        {
            return missing with { Limit = limit };
        }

        var candidate = report.Candidate.Metrics[metric];
        if (report.Champion is null)
        {
            return firstRunPolicy == FirstRunPolicy.Block
                ? new GateCriterionResult(name, metric, false, $"no baseline: there is no champion to compare {metric} with, and the first-run policy is Block.") { CandidateValue = candidate.Value, Limit = limit }
                : new GateCriterionResult(name, metric, true, $"no baseline: there is no champion yet, so the relative change of {metric} was skipped (first-run policy {firstRunPolicy}).") { CandidateValue = candidate.Value, Limit = limit };
        }

        if (MissingMetric(name, metric, report.Champion, "champion") is { } missingChampion)
        {
            return missingChampion with { CandidateValue = candidate.Value, Limit = limit };
        }

        var champion = report.Champion.Metrics[metric].Value;
        var improvement = MetricValue.Improvement(candidate.Value, champion, candidate.Direction);
        var result = new GateCriterionResult(name, metric, false, string.Empty)
        {
            CandidateValue = candidate.Value,
            ChampionValue = champion,
            Difference = candidate.Value - champion,
            Limit = limit,
        };
        if (champion == 0)
        {
            var passed = improvement > 0 || (improvement == 0 && minimum <= 0);
            return result with { Passed = passed, Explanation = $"{metric}: the champion's value is 0, so the relative change is undefined; the candidate's {Number(candidate.Value)} is {(improvement > 0 ? "better" : improvement == 0 ? "equal" : "worse")}, judged by the sign alone: {(passed ? "passed" : "failed")}." };
        }

        var relative = improvement / Math.Abs(champion);
        var ok = relative >= minimum;
        return result with { Passed = ok, Explanation = $"{metric} {Number(candidate.Value)} against champion {Number(champion)}: relative improvement {Number(relative)} ({Number(100 * relative)}%) {(ok ? ">=" : "<")} {Number(minimum)}: {(ok ? "passed" : "failed")}." };
    }
}
