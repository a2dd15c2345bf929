namespace ModelRetraining;

internal sealed class KswinDetector(double alpha, int windowSize, int statSize, int seed) : IConceptDriftDetector
{
    private readonly Queue<float> _window = new();
    private readonly Random _random = new(seed);

    public string Name => "KSWIN";

    public long Count { get; private set; }

    public ConceptDriftState Add(double error)
    {
        Count++;
        _window.Enqueue((float)error);
        if (_window.Count > windowSize)
        {
            _window.Dequeue();
        }

        if (_window.Count < windowSize)
        {
            return ConceptDriftState.Stable;
        }

        var values = _window.ToArray();
        var recent = values[^statSize..];
        var older = values[..^statSize];
        var sample = SampleWithoutReplacement(older);
        Array.Sort(recent);
        Array.Sort(sample);
        var d = DriftStatistics.KsStatistic(sample, recent);
        var (p, _) = DriftStatistics.KsPValue(d, statSize, statSize);

        // As River: the p-value and a statistic above 0.1 must both say so.
        if (p <= alpha && d > 0.1)
        {
            // Start afresh, as IConceptDriftDetector promises: keeping the newest values (which may still be
            // partly the old regime) let one change be signalled again.
            _window.Clear();
            Count = 0;
            return ConceptDriftState.Drift;
        }

        return ConceptDriftState.Stable;
    }

    // As River: the older sample is drawn without replacement (a partial Fisher–Yates shuffle).
    private float[] SampleWithoutReplacement(float[] older)
    {
        var pool = (float[])older.Clone();
        for (var i = 0; i < statSize; i++)
        {
            var j = i + _random.Next(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool[..statSize];
    }
}
