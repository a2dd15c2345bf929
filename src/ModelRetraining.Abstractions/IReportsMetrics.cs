namespace ModelRetraining;

/// <summary>
/// A capability of an evaluator (asked for with <see cref="ICapabilityProvider.GetService"/>): the metrics it
/// may report. When the evaluator has it, building a pipeline refuses a gate that judges a metric
/// outside this list (<see cref="IJudgesMetrics"/>), naming both.
/// </summary>
public interface IReportsMetrics
{
    /// <summary>Gets the names of the metrics the evaluator may report.</summary>
    IReadOnlyCollection<string> ReportedMetrics { get; }
}
