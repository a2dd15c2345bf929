using System.Globalization;

namespace ModelRetraining;

/// <summary>
/// Watches a live binary classifier's scores, chunk by chunk, with a <see cref="ConfidenceBasedPerformanceEstimator"/>;
/// when a chunk's estimate falls below the reference range, hands a <c>performance-estimate</c> trigger
/// (with the estimate as evidence) to the model's coordinator. Needs no labels.
/// </summary>
public sealed class EstimatedPerformanceMonitor
{
    private readonly ConfidenceBasedPerformanceEstimator _estimator;
    private readonly Action<RetrainingTrigger> _trigger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly double[] _chunk;
    private int _count;

    /// <summary>Creates a monitor.</summary>
    /// <param name="estimator">The estimator fitted on the reference.</param>
    /// <param name="trigger">Receives the trigger on an alert (usually <see cref="RetrainingCoordinator.Trigger"/>).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public EstimatedPerformanceMonitor(ConfidenceBasedPerformanceEstimator estimator, Action<RetrainingTrigger> trigger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(trigger);
        _estimator = estimator;
        _trigger = trigger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _chunk = new double[estimator.ChunkSize];
    }

    /// <summary>Records one prediction's score.</summary>
    /// <param name="score">The probability of the positive class.</param>
    /// <returns>The chunk's estimate when this score completed a chunk; otherwise <see langword="null"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The score is not a probability; nothing is recorded.</exception>
    public PerformanceEstimate? RecordPrediction(double score)
    {
        if (!(score is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, $"A score must be a probability in [0, 1]; {score} was not recorded.");
        }

        PerformanceEstimate estimate;
        lock (_gate)
        {
            _chunk[_count++] = score;
            if (_count < _chunk.Length)
            {
                return null;
            }

            _count = 0;
            estimate = _estimator.Estimate(_chunk);
        }

        if (estimate.Alert)
        {
            _trigger(new RetrainingTrigger("performance-estimate", estimate.ToString(), "cbpe", _timeProvider.GetUtcNow())
            {
                Evidence = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["metric"] = estimate.Metric.ToString(),
                    ["estimate"] = estimate.Value.ToString("R", CultureInfo.InvariantCulture),
                    ["lower"] = estimate.Lower.ToString("R", CultureInfo.InvariantCulture),
                    ["referenceRealized"] = _estimator.ReferenceRealized.ToString("R", CultureInfo.InvariantCulture),
                    ["rows"] = estimate.Rows.ToString(CultureInfo.InvariantCulture),
                },
            });
        }

        return estimate;
    }
}
