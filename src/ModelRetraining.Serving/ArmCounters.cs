namespace ModelRetraining.Serving;

/// <summary>
/// What one arm of a rollout did during the current analysis step: calls, errors, dropped shadow requests,
/// outcomes and how many were right, and the latency of every call after the arm's first
/// <c>warmUpCalls</c> (both arms skip the same number, so a freshly loaded challenger's cold calls are not
/// held against it while the warm champion's are not counted either).
/// </summary>
internal sealed class ArmCounters(int version, int warmUpCalls = 0)
{
    private readonly LatencyHistogram _latencies = new();
    private long _calls;
    private long _errors;
    private long _dropped;
    private long _outcomes;
    private long _correct;

    public int Version { get; } = version;

    public void AddCall(double milliseconds)
    {
        if (Interlocked.Increment(ref _calls) > warmUpCalls)
        {
            _latencies.Add(milliseconds);
        }
    }

    public void AddError() => Interlocked.Increment(ref _errors);

    public void AddDropped() => Interlocked.Increment(ref _dropped);

    public void AddOutcome(bool correct)
    {
        Interlocked.Increment(ref _outcomes);
        if (correct)
        {
            Interlocked.Increment(ref _correct);
        }
    }

    /// <summary>The arm's figures; the p99 with its (1 − <paramref name="alpha"/>) confidence interval.</summary>
    public ArmStatistics Snapshot(double alpha = 0.05)
    {
        var calls = Interlocked.Read(ref _calls);
        var errors = Interlocked.Read(ref _errors);
        var outcomes = Interlocked.Read(ref _outcomes);
        var correct = Interlocked.Read(ref _correct);
        var (p99, lower, upper) = _latencies.Quantile(0.99, alpha);
        return new ArmStatistics(Version, calls + errors, errors, outcomes, outcomes == 0 ? double.NaN : (double)correct / outcomes, p99)
        {
            Correct = correct,
            Dropped = Interlocked.Read(ref _dropped),
            LatencySamples = _latencies.Count,
            LatencyP99LowerMilliseconds = lower,
            LatencyP99UpperMilliseconds = upper,
        };
    }
}
