using System.Globalization;

namespace ModelRetraining;

/// <summary>
/// The candidate must be significantly better than the champion on a metric (superiority, margin 0), or
/// not significantly worse than it by more than a margin (non-inferiority), at a one-sided level alpha,
/// judged on the per-row outputs of both models on the same holdout rows.
/// </summary>
internal sealed class SignificanceCriterion(string metric, double margin, double alpha, SignificanceTest test, int resamples, int seed, bool superiority) : GateCriterion
{
    public override string Metric => metric;

    public override bool ComparesWithChampion => true;

    public override GateCriterionResult Judge(EvaluationReport report, FirstRunPolicy firstRunPolicy)
    {
        var name = superiority ? $"{metric} significantly better" : $"{metric} not significantly worse";
        var limit = superiority ? $"improvement > 0 at alpha {N(alpha)}" : $"improvement > -{N(margin)} at alpha {N(alpha)}";
        if (!PairedStatistics.Supported.TryGetValue(metric, out var direction))
        {
            return new GateCriterionResult(name, metric, false, $"metric not found: {metric} cannot be recomputed from per-row outputs (supported: {string.Join(", ", PairedStatistics.Supported.Keys)}); a missing metric fails closed.") { Limit = limit };
        }

        if (report.Champion is null)
        {
            return firstRunPolicy == FirstRunPolicy.Block
                ? new GateCriterionResult(name, metric, false, $"no baseline: there is no champion to test {metric} against, and the first-run policy is Block.") { Limit = limit }
                : new GateCriterionResult(name, metric, true, $"no baseline: there is no champion yet, so the significance test of {metric} was skipped (first-run policy {firstRunPolicy}).") { Limit = limit };
        }

        if (report.Candidate.Outputs is not { } candidate || report.Champion.Outputs is not { } champion || candidate.Labels.Length != champion.Labels.Length || candidate.Labels.Length == 0)
        {
            return new GateCriterionResult(name, metric, false, $"{name} needs per-row outputs of both models on the same holdout rows, and the evaluation has none (or of different lengths); it fails closed.") { Limit = limit };
        }

        var labels = candidate.Labels.Span;
        var method = test == SignificanceTest.Auto ? metric switch { "AUC" => SignificanceTest.DeLong, "Accuracy" => SignificanceTest.McNemar, _ => SignificanceTest.PairedBootstrap } : test;
        var sign = direction == MetricDirection.HigherIsBetter ? 1 : -1;
        var ones = new float[labels.Length];
        Array.Fill(ones, 1f);
        var candidateValue = PairedStatistics.Metric(metric, labels, candidate.Scores.Span, ones, metric == "AUC" ? PairedStatistics.Order(candidate.Scores.Span) : []);
        var championValue = PairedStatistics.Metric(metric, labels, champion.Scores.Span, ones, metric == "AUC" ? PairedStatistics.Order(champion.Scores.Span) : []);
        var difference = candidateValue - championValue;
        double lower, upper, p;
        string how;
        switch (method)
        {
            case SignificanceTest.DeLong when metric == "AUC":
            {
                var (d, se) = PairedStatistics.DeLong(labels, candidate.Scores.Span, champion.Scores.Span);
                var z = PairedStatistics.NormalQuantile(1 - alpha);
                (lower, upper) = (d - (z * se), d + (z * se));
                p = se == 0 ? (d + margin > 0 ? 0 : 1) : PairedStatistics.NormalUpperTail((d + margin) / se);
                how = $"DeLong, standard error {N(se)}";
                break;
            }

            case SignificanceTest.McNemar when metric == "Accuracy":
            {
                var (b, c, statistic) = PairedStatistics.McNemar(labels, candidate.Scores.Span, champion.Scores.Span, probabilities: true);
                p = PairedStatistics.NormalUpperTail(statistic);
                var n = labels.Length;
                var se = Math.Sqrt((b + c) - ((double)(b - c) * (b - c) / n)) / n;
                var z = PairedStatistics.NormalQuantile(1 - alpha);
                (lower, upper) = (difference - (z * se), difference + (z * se));
                how = $"McNemar, {b} rows only the candidate gets right, {c} only the champion";
                if (!superiority)
                {
                    p = se == 0 ? (difference + margin > 0 ? 0 : 1) : PairedStatistics.NormalUpperTail((difference + margin) / se);
                }

                break;
            }

            default:
            {
                var differences = PairedStatistics.BootstrapDifferences(metric, labels, candidate.Scores.Span, champion.Scores.Span, resamples, seed);
                var improvements = differences.Select(d => sign * d).Order().ToArray();
                var low = PairedStatistics.Quantile(improvements, alpha);
                var high = PairedStatistics.Quantile(improvements, 1 - alpha);
                (lower, upper) = sign > 0 ? (low, high) : (-high, -low);
                p = (improvements.Count(d => d <= -margin) + 1.0) / (improvements.Length + 1);
                how = $"paired bootstrap, {resamples} resamples, seed {seed}";
                method = SignificanceTest.PairedBootstrap;
                break;
            }
        }

        var improvement = sign * difference;
        var passed = p < alpha;
        var interval = $"{(int)Math.Round((1 - (2 * alpha)) * 100)}% interval of the difference [{N(lower)}, {N(upper)}]";
        var explanation = superiority
            ? $"{metric} {N(candidateValue)} against champion {N(championValue)}: difference {N(difference)}, {interval}, one-sided p = {P(p)} ({how}): {(passed ? "significantly better" : "not significant")}."
            : $"{metric} {N(candidateValue)} against champion {N(championValue)}: difference {N(difference)}, {interval}, one-sided p = {P(p)} that it is worse by {N(margin)} or more ({how}): {(passed ? "not significantly worse" : "may be worse than allowed")}.";
        return new GateCriterionResult(name, metric, passed, explanation)
        {
            CandidateValue = candidateValue,
            ChampionValue = championValue,
            Difference = difference,
            ConfidenceLower = lower,
            ConfidenceUpper = upper,
            PValue = p,
            Limit = limit,
        };
    }

    private static string N(double value) => Number(value);

    private static string P(double p) => Formatting.PValue(p);
}
