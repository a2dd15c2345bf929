namespace ModelRetraining.Serving;

/// <summary>
/// What one arm of a rollout did during the current analysis step: calls, errors, dropped shadow requests,
/// outcomes and how many were right, and the latest latencies (a ring of the last 4,096) for the p99.
/// </summary>
internal sealed class ArmCounters(int version)
{
    private const int LatencyWindow = 4_096;
    private readonly double[] _latencies = new double[LatencyWindow];
    private long _calls;
    private long _errors;
    private long _dropped;
    private long _outcomes;
    private long _correct;

    public int Version { get; } = version;

    public void AddCall(double milliseconds)
    {
        var call = Interlocked.Increment(ref _calls);
        _latencies[(call - 1) % LatencyWindow] = milliseconds;
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

    public ArmStatistics Snapshot()
    {
        var calls = Interlocked.Read(ref _calls);
        var errors = Interlocked.Read(ref _errors);
        var outcomes = Interlocked.Read(ref _outcomes);
        var correct = Interlocked.Read(ref _correct);
        var latencies = _latencies.AsSpan(0, (int)Math.Min(calls, LatencyWindow)).ToArray();
        Array.Sort(latencies);
        var p99 = ScoreMetrics.NearestRank(latencies, 0.99);
        return new ArmStatistics(Version, calls + errors, errors, outcomes, outcomes == 0 ? double.NaN : (double)correct / outcomes, p99)
        {
            Correct = correct,
            Dropped = Interlocked.Read(ref _dropped),
        };
    }
}
