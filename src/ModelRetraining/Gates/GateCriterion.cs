namespace ModelRetraining;

/// <summary>One check a threshold gate makes; all of a gate's criteria must pass.</summary>
internal abstract class GateCriterion
{
    public abstract string Metric { get; }

    /// <summary>Gets a value indicating whether the criterion needs a champion.</summary>
    public abstract bool ComparesWithChampion { get; }

    public abstract GateCriterionResult Judge(EvaluationReport report, FirstRunPolicy firstRunPolicy);

    protected static GateCriterionResult? MissingMetric(string criterion, string metric, ModelEvaluation evaluation, string whose)
    {
        if (evaluation.Metrics.ContainsKey(metric))
        {
            return null;
        }

        var available = evaluation.Metrics.Count == 0 ? "none" : string.Join(", ", evaluation.Metrics.Keys.Order(StringComparer.Ordinal));
        return new GateCriterionResult(criterion, metric, false, $"metric not found: {metric} (the {whose}'s evaluation has: {available}); a missing metric fails closed.");
    }

    protected static string Number(double value) => value.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);
}
