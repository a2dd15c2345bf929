namespace ModelRetraining;

/// <summary>Computes each model's metrics per slice from its per-row outputs, so slices need no extra scoring.</summary>
internal static class SliceEvaluator
{
    public static EvaluationReport AddSlices(EvaluationReport report, DatasetSnapshot holdout, IReadOnlyList<SliceDefinition> slices, long minRows, CancellationToken cancellationToken)
    {
        if (slices.Count == 0 || report.Candidate.Outputs is null)
        {
            return report;
        }

        // One pass over the holdout assigns every row its slices.
        var membership = new List<(string Slice, List<int> Rows)>();
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        using (var cursor = holdout.Data.GetRowCursor(holdout.Data.Schema.Where(c => !c.IsHidden)))
        {
            var row = new QualityRow(cursor);
            var index = 0;
            while (cursor.MoveNext())
            {
                row.Position = cursor.Position;
                if ((index & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                foreach (var slice in slices)
                {
                    string? key = slice.Column is { } column
                        ? $"{column}={(row.IsMissing(column) ? "(missing)" : row.GetText(column))}"
                        : slice.Predicate!(row) ? slice.Name : null;
                    if (key is null)
                    {
                        continue;
                    }

                    if (!byKey.TryGetValue(key, out var rows))
                    {
                        byKey[key] = rows = [];
                        membership.Add((key, rows));
                    }

                    rows.Add(index);
                }

                index++;
            }
        }

        return report with
        {
            Candidate = report.Candidate with { Slices = Evaluate(report.Candidate, membership, minRows) },
            Champion = report.Champion is { Outputs: not null } champion ? champion with { Slices = Evaluate(champion, membership, minRows) } : report.Champion,
        };
    }

    private static SliceEvaluation[] Evaluate(ModelEvaluation evaluation, List<(string Slice, List<int> Rows)> membership, long minRows)
    {
        var outputs = evaluation.Outputs!;
        var metrics = evaluation.Metrics.Keys.Where(PairedStatistics.Supported.ContainsKey).ToArray();
        return membership.OrderBy(m => m.Slice, StringComparer.Ordinal).Select(m =>
        {
            var labels = m.Rows.Select(i => outputs.Labels.Span[i]).ToArray();
            var scores = m.Rows.Select(i => outputs.Scores.Span[i]).ToArray();
            var weights = Enumerable.Repeat(1f, labels.Length).ToArray();
            var values = metrics.ToDictionary(
                name => name,
                name => new MetricValue(name, PairedStatistics.Metric(name, labels, scores, weights, name == "AUC" ? PairedStatistics.Order(scores) : []), PairedStatistics.Supported[name]),
                StringComparer.Ordinal);
            return new SliceEvaluation(m.Slice, m.Rows.Count, values) { Judged = m.Rows.Count >= minRows };
        }).ToArray();
    }
}
