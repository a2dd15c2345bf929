namespace ModelRetraining;

internal sealed class DdmDetector(double warningThreshold, double driftThreshold, int minInstances) : IConceptDriftDetector
{
    private double _errorRate;
    private double _minRate = double.MaxValue;
    private double _minStd = double.MaxValue;

    public string Name => "DDM";

    public long Count { get; private set; }

    public ConceptDriftState Add(double error)
    {
        Count++;
        _errorRate += (error - _errorRate) / Count;
        var std = Math.Sqrt(_errorRate * (1 - _errorRate) / Count);
        // As River: decisions start after the first minInstances values, not at the last of them (deciding at
        // the 30th raised a false warning at index 39 on River's doctest stream).
        if (Count <= minInstances)
        {
            return ConceptDriftState.Stable;
        }

        if (_errorRate + std <= _minRate + _minStd)
        {
            _minRate = _errorRate;
            _minStd = std;
        }

        if (_errorRate + std > _minRate + (driftThreshold * _minStd))
        {
            Reset();
            return ConceptDriftState.Drift;
        }

        return _errorRate + std > _minRate + (warningThreshold * _minStd) ? ConceptDriftState.Warning : ConceptDriftState.Stable;
    }

    private void Reset()
    {
        Count = 0;
        _errorRate = 0;
        _minRate = double.MaxValue;
        _minStd = double.MaxValue;
    }
}
