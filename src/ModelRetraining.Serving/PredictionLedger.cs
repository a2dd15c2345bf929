using System.Collections.Concurrent;
using System.Globalization;

namespace ModelRetraining.Serving;

/// <summary>
/// The prediction ids of one server and what comes back for them: ids are handed out from a sequence
/// (this server's random prefix and a number), each prediction waits in a fixed ring for its outcome, and
/// outcomes feed the online accuracy per version, the rollout's arm and the performance monitor.
/// </summary>
internal sealed class PredictionLedger(string modelName, ModelServerOptions options, TimeProvider timeProvider, PerformanceMonitor? monitor)
{
    // Sequences are handed out to each thread in blocks: one shared counter bumped per prediction would
    // bounce its cache line between cores on every call.
    private const int SequenceBlockSize = 64;

    [ThreadStatic]
    private static SequenceBlock? t_sequences;

    private readonly PendingOutcomes _pending = new(options.MaxPendingOutcomes);
    private readonly ConcurrentDictionary<int, AccuracyCounter> _online = new();
    private long _sequence;

    /// <summary>Gets the prefix of this server's ids: unique across servers, one string per id only when asked for.</summary>
    public string IdPrefix { get; } = $"{Random.Shared.NextInt64():x16}-";

    public long NextSequence()
    {
        var block = t_sequences ??= new SequenceBlock();
        if (!ReferenceEquals(block.Owner, this) || block.Next > block.Last)
        {
            var last = Interlocked.Add(ref _sequence, SequenceBlockSize);
            (block.Owner, block.Next, block.Last) = (this, last - SequenceBlockSize + 1, last);
        }

        return block.Next++;
    }

    public void Add(long sequence, int version, object output, ArmCounters? counters, ShadowResult? shadow)
        => _pending.Add(sequence, version, timeProvider.GetTimestamp(), output, counters, shadow);

    public PendingOutcomes.Entry Claim(string predictionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(predictionId);
        if (!predictionId.StartsWith(IdPrefix, StringComparison.Ordinal)
            || !long.TryParse(predictionId.AsSpan(IdPrefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sequence)
            || sequence < 1 || sequence > Volatile.Read(ref _sequence))
        {
            throw new KeyNotFoundException($"Prediction '{predictionId}' is unknown to this server of '{modelName}'; nothing was recorded.");
        }

        switch (_pending.TryClaim(sequence, out var entry))
        {
            case PendingOutcomes.ClaimResult.AlreadyAnswered:
                throw new KeyNotFoundException($"Prediction '{predictionId}' of '{modelName}' already has its outcome; nothing was recorded.");
            case PendingOutcomes.ClaimResult.Forgotten:
                throw new KeyNotFoundException($"Prediction '{predictionId}' of '{modelName}' expired: more than {options.MaxPendingOutcomes} newer predictions are waiting for outcomes; nothing was recorded.");
        }

        if (timeProvider.GetElapsedTime(entry.Timestamp) > options.OutcomeWindow)
        {
            throw new KeyNotFoundException($"Prediction '{predictionId}' of '{modelName}' expired: its outcome came after {options.OutcomeWindow}; nothing was recorded.");
        }

        return entry;
    }

    public void Record(PendingOutcomes.Entry entry, bool correct)
    {
        _online.GetOrAdd(entry.Version, _ => new AccuracyCounter()).Add(correct);
        entry.Counters?.AddOutcome(correct);
        monitor?.RecordOutcome(correct);
    }

    public OnlineAccuracy OnlineAccuracyOf(int version)
    {
        var (outcomes, accuracy) = _online.TryGetValue(version, out var counter) ? counter.Snapshot() : (0, double.NaN);
        return new OnlineAccuracy(version, outcomes, accuracy);
    }

    private sealed class SequenceBlock
    {
        public object? Owner { get; set; }

        public long Next { get; set; }

        public long Last { get; set; }
    }

    private sealed class AccuracyCounter
    {
        private long _outcomes;
        private long _correct;

        public void Add(bool correct)
        {
            Interlocked.Increment(ref _outcomes);
            if (correct)
            {
                Interlocked.Increment(ref _correct);
            }
        }

        public (long, double) Snapshot()
        {
            var outcomes = Interlocked.Read(ref _outcomes);
            return (outcomes, outcomes == 0 ? double.NaN : (double)Interlocked.Read(ref _correct) / outcomes);
        }
    }
}
