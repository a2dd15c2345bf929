namespace ModelRetraining;

internal sealed class EddmDetector(double warningThreshold, double driftThreshold, int minErrors) : IConceptDriftDetector
{
    private long _errors;
    private long _lastError;
    private double _mean;
    private double _m2;
    private double _best;

    public string Name => "EDDM";

    public long Count { get; private set; }

    public ConceptDriftState Add(double error)
    {
        Count++;
        if (error < 0.5)
        {
            return ConceptDriftState.Stable;
        }

        // The distance between consecutive errors grows while the model is right more often.
        _errors++;
        var distance = (double)(Count - _lastError);
        _lastError = Count;
        var delta = distance - _mean;
        _mean += delta / _errors;
        _m2 += delta * (distance - _mean);
        var std = Math.Sqrt(_m2 / _errors);
        var level = _mean + (2 * std);
        if (_errors < minErrors)
        {
            return ConceptDriftState.Stable;
        }

        if (level > _best)
        {
            _best = level;
            return ConceptDriftState.Stable;
        }

        var ratio = level / _best;
        if (ratio < driftThreshold)
        {
            Reset();
            return ConceptDriftState.Drift;
        }

        return ratio < warningThreshold ? ConceptDriftState.Warning : ConceptDriftState.Stable;
    }

    private void Reset()
    {
        Count = 0;
        _errors = 0;
        _lastError = 0;
        _mean = 0;
        _m2 = 0;
        _best = 0;
    }
}
