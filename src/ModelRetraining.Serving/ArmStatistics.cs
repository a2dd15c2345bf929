namespace ModelRetraining.Serving;

/// <summary>What one arm of a rollout did during an analysis step.</summary>
/// <param name="Version">The version serving the arm.</param>
/// <param name="Requests">The requests it was asked to answer (calls that failed included).</param>
/// <param name="Errors">The requests it failed (the caller got the champion's answer instead).</param>
/// <param name="Outcomes">The outcomes recorded for its answers.</param>
/// <param name="Accuracy">The share of those outcomes that were right; NaN before any.</param>
/// <param name="LatencyP99Milliseconds">The 99th percentile of its latest latencies; NaN before any.</param>
public sealed record ArmStatistics(int Version, long Requests, long Errors, long Outcomes, double Accuracy, double LatencyP99Milliseconds)
{
    /// <summary>Gets how many outcomes were right.</summary>
    public long Correct { get; init; }

    /// <summary>Gets how many shadow requests were dropped because the shadow queue was full.</summary>
    public long Dropped { get; init; }

    /// <summary>Gets the share of requests that failed; 0 before any.</summary>
    /// <summary>Gets how many calls the latency figures are drawn from (every call of the step after the warm-up).</summary>
    public long LatencySamples { get; init; }

    /// <summary>Gets the lower bound of the p99's confidence interval (order statistics, level 1 − <see cref="RolloutOptions.Alpha"/>); NaN before any call.</summary>
    public double LatencyP99LowerMilliseconds { get; init; } = double.NaN;

    /// <summary>Gets the upper bound of the p99's confidence interval; NaN before any call.</summary>
    public double LatencyP99UpperMilliseconds { get; init; } = double.NaN;

    /// <summary>Gets the error rate: errors over requests, 0 before any request.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <inheritdoc />
    public override string ToString()
        => FormattableString.Invariant($"v{Version}: accuracy {Accuracy:0.####} over {Outcomes} outcomes, {Errors}/{Requests} errors, p99 {LatencyP99Milliseconds:0.###} ms [{LatencyP99LowerMilliseconds:0.###}, {LatencyP99UpperMilliseconds:0.###}] over {LatencySamples} calls");
}
