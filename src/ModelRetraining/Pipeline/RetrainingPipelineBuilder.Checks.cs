using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

// What Build() checks before it creates a pipeline, and how it applies decorators.
public sealed partial class RetrainingPipelineBuilder
{
    private List<string> MissingParts()
    {
        var errors = new List<string>();
        if (_modelName is null)
        {
            errors.Add("ModelName is not set.");
        }

        if (_training is null)
        {
            errors.Add("No training data: call UseTrainingData(...).");
        }

        if (_holdout is null)
        {
            errors.Add("No holdout data: call UseHoldoutData(...); the candidate and the champion are scored on it.");
        }
        else if (_training is not null && ReferenceEquals(_training, _holdout))
        {
            errors.Add("The training data and the holdout are the same source: evaluate on rows the model has not seen.");
        }

        if (_trainer is null)
        {
            errors.Add("No trainer: call UseTrainer(...) or an adapter's AddXxxTraining(...).");
        }

        if (_evaluator is null)
        {
            errors.Add("No evaluator: call UseEvaluator(...) or an adapter's AddXxxEvaluation(...).");
        }

        if (_gates.Count == 0)
        {
            errors.Add("No promotion gate: add one with AddPromotionGate(...); nothing is promoted without a decision.");
        }

        if (_registry is null)
        {
            errors.Add("No registry: call UseRegistry(ModelRegistry.Embedded(\"models\")) or another registry.");
        }

        return errors;
    }

    // A gate on a metric the evaluator never reports would reject every run at its first gate; say so now.
    private static List<string> UnreportedMetrics(IEvaluator evaluator, IPromotionGate[] gates)
    {
        var errors = new List<string>();
        if (evaluator.GetService<IReportsMetrics>() is not { } reported)
        {
            return errors;
        }

        foreach (var gate in gates)
        {
            foreach (var metric in gate.GetService<IJudgesMetrics>()?.JudgedMetrics ?? [])
            {
                if (!reported.ReportedMetrics.Contains(metric, StringComparer.Ordinal))
                {
                    errors.Add($"The gate '{gate.Name}' judges '{metric}', which the evaluator '{evaluator.Name}' never reports; it reports {string.Join(", ", reported.ReportedMetrics)} (MetricNames).");
                }
            }
        }

        return errors;
    }

    private T Decorated<T>(T component)
        where T : class
    {
        foreach (var (kind, decorate) in _decorators)
        {
            if (kind == typeof(T))
            {
                component = (T)decorate(component);
            }
        }

        return component;
    }
}
