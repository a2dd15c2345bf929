namespace ModelRetraining;

internal sealed class EddmDetector(double warningThreshold, double driftThreshold, int warmStart) : IConceptDriftDetector
{
    private long _errors;
    private long _lastError;
    private double _mean;
    private double _m2;
    private double _best = -1;
    private bool _warning;

    public string Name => "EDDM";

    public long Count { get; private set; }

    // River's semantics, checked against its doctest and unit test: distances are tracked from the first
    // error; their spread is the sample standard deviation (Welford, n - 1); the peak is tracked once more
    // than warmStart values were seen, and a decision needs more than warmStart errors and a value below
    // the peak. Only an error changes the state: a warning holds over the correct predictions after it.
    public ConceptDriftState Add(double error)
    {
        Count++;
        if (error < 0.5)
        {
            return _warning ? ConceptDriftState.Warning : ConceptDriftState.Stable;
        }

        _errors++;
        var distance = (double)(Count - _lastError);
        _lastError = Count;
        var delta = distance - _mean;
        _mean += delta / _errors;
        _m2 += delta * (distance - _mean);
        if (Count <= warmStart)
        {
            return ConceptDriftState.Stable;
        }

        var std = _errors > 1 ? Math.Sqrt(_m2 / (_errors - 1)) : 0;
        var level = _mean + (2 * std);
        if (level > _best)
        {
            _best = level;
            return _warning ? ConceptDriftState.Warning : ConceptDriftState.Stable;
        }

        if (_errors <= warmStart)
        {
            return _warning ? ConceptDriftState.Warning : ConceptDriftState.Stable;
        }

        var ratio = level / _best;
        if (ratio < driftThreshold)
        {
            Reset();
            return ConceptDriftState.Drift;
        }

        _warning = ratio < warningThreshold;
        return _warning ? ConceptDriftState.Warning : ConceptDriftState.Stable;
    }

    private void Reset()
    {
        Count = 0;
        _errors = 0;
        _lastError = 0;
        _mean = 0;
        _m2 = 0;
        _best = -1;
        _warning = false;
    }
}
