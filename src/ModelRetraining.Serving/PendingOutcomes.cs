namespace ModelRetraining.Serving;

/// <summary>
/// The predictions still waiting for an outcome: a fixed ring indexed by prediction sequence, so that a
/// prediction costs one slot write (no dictionary node, no queue entry, no eviction pass) and the oldest
/// pending predictions are forgotten by being overwritten. A slot is published with a sequence-lock:
/// marked as being written, filled, then stamped with its sequence; an outcome claims it by swapping the
/// sequence for its complement, so it is claimed at most once and never while it is rewritten. Slots are
/// written in sequence order (cache-friendly); since the server hands sequences to threads in blocks,
/// threads on different cores write different stretches of the ring. (Spreading sequences over the ring
/// to avoid shared cache lines was measured slower: a cache miss on every write.)
/// </summary>
internal sealed class PendingOutcomes
{
    private const long Writing = long.MinValue;
    private readonly Slot[] _slots;
    private readonly long _mask;

    public PendingOutcomes(int capacity)
    {
        var size = (int)Math.Min(1L << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 2)));
        _slots = new Slot[size];
        _mask = size - 1;
    }

    public enum ClaimResult
    {
        Claimed,
        AlreadyAnswered,
        Forgotten,
    }

    public void Add(long sequence, int version, long timestamp, object output, ArmCounters? counters, ShadowResult? shadow)
    {
        ref var slot = ref _slots[sequence & _mask];
        Volatile.Write(ref slot.Sequence, Writing);
        slot.Version = version;
        slot.Timestamp = timestamp;
        slot.Output = output;
        slot.Counters = counters;
        slot.Shadow = shadow;
        Volatile.Write(ref slot.Sequence, sequence);
    }

    public ClaimResult TryClaim(long sequence, out Entry entry)
    {
        ref var slot = ref _slots[sequence & _mask];
        entry = default;
        var stamped = Volatile.Read(ref slot.Sequence);
        if (stamped == ~sequence)
        {
            return ClaimResult.AlreadyAnswered;
        }

        if (stamped != sequence)
        {
            return ClaimResult.Forgotten;
        }

        entry = new Entry(slot.Version, slot.Timestamp, slot.Output, slot.Counters, slot.Shadow);
        return Interlocked.CompareExchange(ref slot.Sequence, ~sequence, sequence) == sequence
            ? ClaimResult.Claimed
            : Volatile.Read(ref slot.Sequence) == ~sequence ? ClaimResult.AlreadyAnswered : ClaimResult.Forgotten;
    }

    public readonly record struct Entry(int Version, long Timestamp, object? Output, ArmCounters? Counters, ShadowResult? Shadow);

    private struct Slot
    {
        public long Sequence;
        public int Version;
        public long Timestamp;
        public object? Output;
        public ArmCounters? Counters;
        public ShadowResult? Shadow;
    }
}
