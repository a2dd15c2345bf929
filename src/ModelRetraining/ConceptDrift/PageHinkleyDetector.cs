namespace ModelRetraining;

internal sealed class PageHinkleyDetector(double threshold, double delta, double alpha, int minInstances) : IConceptDriftDetector
{
    private double _mean;
    private double _sumUp;
    private double _sumDown;
    private double _minUp = double.MaxValue;
    private double _maxDown = double.MinValue;

    public string Name => "Page-Hinkley";

    public long Count { get; private set; }

    public ConceptDriftState Add(double error)
    {
        Count++;
        _mean += (error - _mean) / Count;
        _sumUp = (alpha * _sumUp) + (error - _mean - delta);
        _sumDown = (alpha * _sumDown) + (error - _mean + delta);
        _minUp = Math.Min(_minUp, _sumUp);
        _maxDown = Math.Max(_maxDown, _sumDown);
        if (Count < minInstances)
        {
            return ConceptDriftState.Stable;
        }

        if (_sumUp - _minUp > threshold || _maxDown - _sumDown > threshold)
        {
            Count = 0;
            _mean = _sumUp = _sumDown = 0;
            _minUp = double.MaxValue;
            _maxDown = double.MinValue;
            return ConceptDriftState.Drift;
        }

        return ConceptDriftState.Stable;
    }
}
