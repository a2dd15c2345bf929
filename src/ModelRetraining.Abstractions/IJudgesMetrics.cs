namespace ModelRetraining;

/// <summary>A capability of a promotion gate (asked for with <see cref="ICapabilityProvider.GetService"/>): the metrics its criteria read, so that a misspelt one is refused when the pipeline is built.</summary>
public interface IJudgesMetrics
{
    /// <summary>Gets the names of the metrics the gate's criteria read.</summary>
    IReadOnlyCollection<string> JudgedMetrics { get; }
}
