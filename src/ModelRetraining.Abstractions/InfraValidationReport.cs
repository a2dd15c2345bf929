namespace ModelRetraining;

/// <summary>How a candidate fared when loaded and run as serving will run it.</summary>
/// <param name="Validator">The validator.</param>
/// <param name="Problems">Every failed check, with its numbers; empty when the candidate passed.</param>
public sealed record InfraValidationReport(string Validator, IReadOnlyList<string> Problems)
{
    /// <summary>Gets a value indicating whether every check passed.</summary>
    public bool Passed => Problems.Count == 0;

    /// <summary>Gets where the model ran (an ONNX Runtime execution provider, or the runtime's name).</summary>
    public string? ExecutionProvider { get; init; }

    /// <summary>Gets how many holdout rows were scored.</summary>
    public int Rows { get; init; }

    /// <summary>Gets the largest absolute difference from the evaluation's scores.</summary>
    public double? MaxScoreDifference { get; init; }

    /// <summary>Gets the median latency of one single-row prediction, in milliseconds.</summary>
    public double? LatencyP50Milliseconds { get; init; }

    /// <summary>Gets the 99th-percentile latency of one single-row prediction, in milliseconds.</summary>
    public double? LatencyP99Milliseconds { get; init; }

    /// <summary>Gets how much the process's working set grew while the model loaded and scored, in bytes (a coarse measure: native allocations included, other threads too).</summary>
    public long? MemoryGrowthBytes { get; init; }
}
