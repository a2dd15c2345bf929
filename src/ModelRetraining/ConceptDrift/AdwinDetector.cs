namespace ModelRetraining;

/// <summary>
/// ADWIN with an exponential histogram of buckets (at most 5 per size), checked every 32 values after a
/// grace period of 10: a cut drops the oldest buckets while the older and newer parts of the window
/// have means further apart than the bound of Bifet and Gavaldà (as MOA and River compute it).
/// </summary>
internal sealed class AdwinDetector(double delta) : IConceptDriftDetector
{
    private const int MaxBuckets = 5;
    private const int Clock = 32;
    private const int MinWindow = 5;
    private const int GracePeriod = 10;
    private readonly List<Bucket> _buckets = []; // oldest first
    private double _total;
    private double _variance;
    private long _ticks;

    public string Name => "ADWIN";

    public long Count { get; private set; }

    public ConceptDriftState Add(double error)
    {
        if (Count > 0)
        {
            var mean = _total / Count;
            _variance += Count * (error - mean) * (error - mean) / (Count + 1);
        }

        Count++;
        _total += error;
        _buckets.Add(new Bucket(1, error, 0));
        Compress();
        _ticks++;
        if (_ticks % Clock != 0 || Count < GracePeriod)
        {
            return ConceptDriftState.Stable;
        }

        var drift = false;
        while (Cut())
        {
            drift = true;
        }

        if (drift)
        {
            // As IConceptDriftDetector promises: one change, one signal. Keeping the cut window let the same
            // change be found again 2–3 times (8 signals instead of 3 on River's four-segment stream).
            Reset();
            return ConceptDriftState.Drift;
        }

        return ConceptDriftState.Stable;
    }

    private void Reset()
    {
        _buckets.Clear();
        _total = 0;
        _variance = 0;
        _ticks = 0;
        Count = 0;
    }

    private void Compress()
    {
        for (long size = 1; ; size *= 2)
        {
            var indexes = new List<int>();
            for (var i = 0; i < _buckets.Count; i++)
            {
                if (_buckets[i].Count == size)
                {
                    indexes.Add(i);
                }
            }

            if (indexes.Count <= MaxBuckets)
            {
                if (indexes.Count == 0 && _buckets.All(b => b.Count < size))
                {
                    return;
                }

                continue;
            }

            // Merge the two oldest buckets of this size into one of twice the size.
            var a = _buckets[indexes[0]];
            var b = _buckets[indexes[1]];
            var merged = new Bucket(a.Count + b.Count, a.Sum + b.Sum, a.Variance + b.Variance + (a.Count * b.Count / (double)(a.Count + b.Count) * Math.Pow((a.Sum / a.Count) - (b.Sum / b.Count), 2)));
            _buckets[indexes[0]] = merged;
            _buckets.RemoveAt(indexes[1]);
        }
    }

    private bool Cut()
    {
        long n0 = 0;
        double sum0 = 0;
        for (var i = 0; i < _buckets.Count - 1; i++)
        {
            n0 += _buckets[i].Count;
            sum0 += _buckets[i].Sum;
            var n1 = Count - n0;
            if (n0 < MinWindow || n1 < MinWindow)
            {
                continue;
            }

            var difference = (sum0 / n0) - ((_total - sum0) / n1);
            var variance = _variance / Count;
            var dd = Math.Log(2 * Math.Log(Count) / delta);
            var m = (1.0 / (n0 - MinWindow + 1)) + (1.0 / (n1 - MinWindow + 1));
            var epsilon = Math.Sqrt(2 * m * variance * dd) + (2.0 / 3.0 * dd * m);
            if (Math.Abs(difference) > epsilon)
            {
                DropOldest();
                return true;
            }
        }

        return false;
    }

    private void DropOldest()
    {
        var oldest = _buckets[0];
        _buckets.RemoveAt(0);
        var remaining = Count - oldest.Count;
        if (remaining > 0)
        {
            var remainingMean = (_total - oldest.Sum) / remaining;
            _variance -= oldest.Variance + (oldest.Count * remaining * Math.Pow((oldest.Sum / oldest.Count) - remainingMean, 2) / (oldest.Count + remaining));
            _variance = Math.Max(_variance, 0);
        }
        else
        {
            _variance = 0;
        }

        _total -= oldest.Sum;
        Count = remaining;
    }

    private readonly record struct Bucket(long Count, double Sum, double Variance);
}
