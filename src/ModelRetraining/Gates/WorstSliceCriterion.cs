namespace ModelRetraining;

/// <summary>No slice may be worse than the champion's same slice by more than a margin; the decision names the worst slice. Slices below the minimum size are reported as skipped.</summary>
internal sealed class WorstSliceCriterion(string prefix, string metric, double margin) : GateCriterion
{
    public override string Metric => metric;

    public override bool ComparesWithChampion => true;

    public override GateCriterionResult Judge(EvaluationReport report, FirstRunPolicy firstRunPolicy)
    {
        var name = $"no {prefix} slice worse on {metric}";
        var limit = margin == 0 ? "each slice's difference >= 0" : $"each slice's difference >= -{Number(margin)}";
        if (report.Champion is null)
        {
            return firstRunPolicy == FirstRunPolicy.Block
                ? new GateCriterionResult(name, metric, false, $"no baseline: there is no champion to compare slices with, and the first-run policy is Block.") { Limit = limit }
                : new GateCriterionResult(name, metric, true, $"no baseline: there is no champion yet, so slices of {prefix} were not compared (first-run policy {firstRunPolicy}).") { Limit = limit };
        }

        var candidate = report.Candidate.Slices.Where(s => s.Slice.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
        if (candidate.Length == 0)
        {
            return new GateCriterionResult(name, metric, false, $"no slice of '{prefix}' was evaluated: add SliceEvaluationBy(\"{prefix}\") to the pipeline (and keep per-row outputs); the criterion fails closed.") { Limit = limit };
        }

        var champion = report.Champion.Slices.ToDictionary(s => s.Slice, StringComparer.Ordinal);
        var skipped = new List<string>();
        (SliceEvaluation Slice, double Candidate, double Champion, double Improvement)? worst = null;
        foreach (var slice in candidate)
        {
            if (!slice.Judged || !champion.TryGetValue(slice.Slice, out var other) || !other.Judged)
            {
                skipped.Add($"{slice.Slice} ({slice.Rows} rows)");
                continue;
            }

            if (!slice.Metrics.TryGetValue(metric, out var value) || !other.Metrics.TryGetValue(metric, out var baseline))
            {
                return new GateCriterionResult(name, metric, false, $"metric not found: {metric} on slice {slice.Slice}; a missing metric fails closed.") { Limit = limit };
            }

            var improvement = MetricValue.Improvement(value.Value, baseline.Value, value.Direction);
            if (double.IsNaN(improvement))
            {
                skipped.Add($"{slice.Slice} (metric undefined)");
                continue;
            }

            if (worst is null || improvement < worst.Value.Improvement)
            {
                worst = (slice, value.Value, baseline.Value, improvement);
            }
        }

        var skippedText = skipped.Count == 0 ? string.Empty : $" Skipped, too small or not comparable: {string.Join(", ", skipped.Take(8))}{(skipped.Count > 8 ? $" and {skipped.Count - 8} more" : string.Empty)}.";
        if (worst is not { } w)
        {
            return new GateCriterionResult(name, metric, true, $"no slice of '{prefix}' was large enough to judge.{skippedText}") { Limit = limit };
        }

        var passed = w.Improvement >= -margin;
        return new GateCriterionResult(name, metric, passed, $"worst slice {w.Slice.Slice} ({w.Slice.Rows} rows): {metric} {Number(w.Candidate)} against champion {Number(w.Champion)}, difference {Number(w.Candidate - w.Champion)}: {(passed ? "within" : "beyond")} the allowed {Number(margin)}.{skippedText}")
        {
            CandidateValue = w.Candidate,
            ChampionValue = w.Champion,
            Difference = w.Candidate - w.Champion,
            Limit = limit,
        };
    }
}
