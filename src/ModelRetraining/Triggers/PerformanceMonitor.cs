namespace ModelRetraining;

/// <summary>
/// Watches a live model's outcomes with a concept-drift detector and, when the error stream changes,
/// hands a <c>performance</c> trigger (with the detector's evidence) to the model's coordinator.
/// </summary>
public sealed class PerformanceMonitor
{
    private readonly IConceptDriftDetector _detector;
    private readonly Action<RetrainingTrigger> _trigger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private long _outcomes;
    private long _errors;

    /// <summary>Creates a monitor.</summary>
    /// <param name="detector">The detector; River's ADWIN when <see langword="null"/>.</param>
    /// <param name="trigger">Receives the trigger on drift (usually <see cref="RetrainingCoordinator.Trigger"/>).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public PerformanceMonitor(IConceptDriftDetector? detector, Action<RetrainingTrigger> trigger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        _detector = detector ?? ConceptDrift.Adwin();
        _trigger = trigger;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Records whether a prediction turned out right.</summary>
    /// <param name="correct">The outcome.</param>
    /// <returns>The detector's state after it.</returns>
    public ConceptDriftState RecordOutcome(bool correct) => RecordLoss(correct ? 0 : 1);

    /// <summary>Records a prediction's loss (0 = perfect; larger = worse), for real-valued detectors.</summary>
    /// <param name="loss">The loss.</param>
    /// <returns>The detector's state after it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The loss is NaN or infinite; nothing is recorded.</exception>
    public ConceptDriftState RecordLoss(double loss)
    {
        if (!double.IsFinite(loss))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, $"An outcome's loss must be a finite number; {loss} was not recorded.");
        }

        ConceptDriftState state;
        long outcomes, errors;
        lock (_gate)
        {
            _outcomes++;
            _errors += loss > 0 ? 1 : 0;
            state = _detector.Add(loss);
            (outcomes, errors) = (_outcomes, _errors);
            if (state == ConceptDriftState.Drift)
            {
                _outcomes = _errors = 0;
            }
        }

        if (state == ConceptDriftState.Drift)
        {
            _trigger(new RetrainingTrigger("performance", $"{_detector.Name} detected a change in the live error stream", _detector.Name, _timeProvider.GetUtcNow())
            {
                Evidence = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["detector"] = _detector.Name,
                    ["outcomes"] = outcomes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["errors"] = errors.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            });
        }

        return state;
    }
}
