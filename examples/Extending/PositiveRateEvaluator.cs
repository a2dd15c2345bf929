using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining;

namespace Extending;

// <snippet:extending-evaluator>
/// <summary>
/// Adds one metric to another evaluator's report: the share of holdout rows the candidate predicts positive.
/// A gate can then hold it near the label's base rate (a model that predicts "late" for everyone has a fine
/// recall and a useless positive rate).
/// </summary>
public sealed class PositiveRateEvaluator(IEvaluator inner) : DelegatingEvaluator(inner)
{
    public const string Metric = "PositiveRate";

    public override async ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        var report = await base.EvaluateAsync(input, context, cancellationToken);
        if (input.Candidate.LiveModel is not ITransformer model)
        {
            return report; // nothing to score: leave the inner report as it is
        }

        var predicted = model.Transform(input.Holdout.Data).GetColumn<bool>("PredictedLabel").ToArray();
        var rate = predicted.Length == 0 ? double.NaN : predicted.Count(p => p) / (double)predicted.Length;
        var metrics = new Dictionary<string, MetricValue>(report.Candidate.Metrics)
        {
            [Metric] = new MetricValue(Metric, rate, MetricDirection.LowerIsBetter),
        };
        return report with { Candidate = report.Candidate with { Metrics = metrics } };
    }
}
// </snippet:extending-evaluator>
