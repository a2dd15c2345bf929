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
        var sample = Enumerable.Range(0, statSize).Select(_ => older[_random.Next(older.Length)]).ToArray();
        Array.Sort(recent);
        Array.Sort(sample);
        var d = DriftStatistics.KsStatistic(sample, recent);
        var (p, _) = DriftStatistics.KsPValue(d, statSize, statSize);

        // As River: the p-value and a statistic above 0.1 must both say so.
        if (p <= alpha && d > 0.1)
        {
            // Keep the newest values: they are the new regime.
            _window.Clear();
            foreach (var value in values[^statSize..])
            {
                _window.Enqueue(value);
            }

            Count = statSize;
            return ConceptDriftState.Drift;
        }

        return ConceptDriftState.Stable;
    }
}
