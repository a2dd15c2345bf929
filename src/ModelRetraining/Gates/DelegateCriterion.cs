namespace ModelRetraining;

/// <summary>A criterion written by the user as a delegate.</summary>
internal sealed class DelegateCriterion(string name, Func<EvaluationReport, GateCriterionResult> judge) : GateCriterion
{
    public override string Metric => name;

    public override bool ComparesWithChampion => false;

    public override GateCriterionResult Judge(EvaluationReport report, FirstRunPolicy firstRunPolicy)
    {
        try
        {
            return judge(report);
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or ArgumentException or ArithmeticException)
        {
            return new GateCriterionResult(name, null, false, $"custom criterion '{name}' threw {ex.GetType().Name}: {ex.Message}; it fails closed.");
        }
    }
}
