using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>
/// Estimates a binary classifier's performance from its scores alone, for when labels arrive late
/// (NannyML's confidence-based performance estimation, CBPE): with calibrated probabilities, each
/// prediction contributes its probability of being right to an expected confusion matrix (and to an
/// expected ROC curve). Fitted on a labelled reference period, which also sets the alert thresholds
/// (the reference chunks' mean ± 3 standard deviations). It assumes no concept drift: P(y | x) is the
/// reference's; a shift in the inputs is what it can see.
/// </summary>
public sealed class ConfidenceBasedPerformanceEstimator
{
    private readonly IsotonicCalibration? _calibration;
    private readonly PerformanceEstimatorOptions _options;

    private ConfidenceBasedPerformanceEstimator(PerformanceEstimatorOptions options, IsotonicCalibration? calibration)
    {
        _options = options;
        _calibration = calibration;
    }

    /// <summary>Gets the estimated metric.</summary>
    public EstimatedMetric Metric => _options.Metric;

    /// <summary>Gets how many predictions make one chunk.</summary>
    public int ChunkSize => _options.ChunkSize;

    /// <summary>Gets a value indicating whether scores are recalibrated before estimating.</summary>
    public bool Calibrated => _calibration is not null;

    /// <summary>Gets the metric as realized on the whole labelled reference.</summary>
    public double ReferenceRealized { get; private init; }

    /// <summary>Gets the mean of the reference chunks' estimates.</summary>
    public double ReferenceMean { get; private init; }

    /// <summary>Gets the standard deviation of the reference chunks' estimates.</summary>
    public double ReferenceStandardDeviation { get; private init; }

    /// <summary>Gets the lower alert threshold.</summary>
    public double Lower => ReferenceMean - (_options.StandardDeviations * ReferenceStandardDeviation);

    /// <summary>Gets the upper threshold.</summary>
    public double Upper => ReferenceMean + (_options.StandardDeviations * ReferenceStandardDeviation);

    /// <summary>Gets warnings about the fit (for example, fewer than 6 reference chunks make the thresholds unreliable).</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>Fits the estimator on a labelled reference period.</summary>
    /// <param name="scores">The model's scores (probability of the positive class) on the reference.</param>
    /// <param name="labels">The true labels, row for row.</param>
    /// <param name="options">The options; NannyML's defaults when <see langword="null"/>.</param>
    /// <returns>The fitted estimator.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid.</exception>
    /// <exception cref="ArgumentException">The inputs differ in length, a score is not a probability (the row is named), the reference holds fewer rows than one chunk, or only one class.</exception>
    public static ConfidenceBasedPerformanceEstimator Fit(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, PerformanceEstimatorOptions? options = null)
    {
        options ??= new PerformanceEstimatorOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(PerformanceEstimatorOptions), typeof(PerformanceEstimatorOptions), errors);
        }

        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"The reference has {scores.Length} scores but {labels.Length} labels; they must pair row for row.", nameof(labels));
        }

        CheckScores(scores, nameof(scores));
        if (scores.Length < options.ChunkSize)
        {
            throw new ArgumentException($"The reference has {scores.Length} rows, fewer than one chunk ({nameof(PerformanceEstimatorOptions.ChunkSize)} = {options.ChunkSize}).", nameof(scores));
        }

        var positives = 0;
        foreach (var label in labels)
        {
            positives += label ? 1 : 0;
        }

        if (positives == 0 || positives == labels.Length)
        {
            throw new ArgumentException($"The reference's labels are all {(positives == 0 ? "negative" : "positive")}; estimating needs both classes.", nameof(labels));
        }

        var calibration = options.Calibrate switch
        {
            true => IsotonicCalibration.Fit(scores, labels),
            false => null,
            null => CalibrationHelps(scores, labels) ? IsotonicCalibration.Fit(scores, labels) : null,
        };
        var frozen = new PerformanceEstimatorOptions
        {
            Metric = options.Metric,
            ChunkSize = options.ChunkSize,
            DecisionThreshold = options.DecisionThreshold,
            StandardDeviations = options.StandardDeviations,
            Calibrate = calibration is not null,
        };
        var probe = new ConfidenceBasedPerformanceEstimator(frozen, calibration);
        var chunks = scores.Length / options.ChunkSize;
        var estimates = new double[chunks];
        for (var c = 0; c < chunks; c++)
        {
            estimates[c] = probe.EstimateValue(scores.Slice(c * options.ChunkSize, options.ChunkSize));
        }

        var mean = estimates.Average();
        var sd = chunks > 1 ? Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / (chunks - 1)) : 0;
        return new ConfidenceBasedPerformanceEstimator(frozen, calibration)
        {
            ReferenceRealized = Realized(scores, labels, options),
            ReferenceMean = mean,
            ReferenceStandardDeviation = sd,
            Warnings = chunks < 6 ? [$"The reference makes {chunks} chunk(s) of {options.ChunkSize}; thresholds from fewer than 6 chunks are unreliable."] : [],
        };
    }

    /// <summary>Estimates the metric on a chunk of unlabelled predictions.</summary>
    /// <param name="scores">The model's scores.</param>
    /// <returns>The estimate with the alert thresholds.</returns>
    /// <exception cref="ArgumentException">The chunk is empty or a score is not a probability (the row is named).</exception>
    public PerformanceEstimate Estimate(ReadOnlySpan<double> scores)
    {
        if (scores.IsEmpty)
        {
            throw new ArgumentException("An estimate needs at least one score.", nameof(scores));
        }

        CheckScores(scores, nameof(scores));
        return new PerformanceEstimate(Metric, EstimateValue(scores), Lower, Upper, scores.Length);
    }

    private double EstimateValue(ReadOnlySpan<double> scores)
    {
        var probabilities = new double[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            probabilities[i] = _calibration?.Apply(scores[i]) ?? scores[i];
        }

        if (Metric == EstimatedMetric.RocAuc)
        {
            return ExpectedAuc(scores, probabilities);
        }

        // The expected confusion matrix: a positive prediction is a true positive with probability p.
        double tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var p = probabilities[i];
            if (scores[i] >= _options.DecisionThreshold)
            {
                tp += p;
                fp += 1 - p;
            }
            else
            {
                fn += p;
                tn += 1 - p;
            }
        }

        return FromConfusion(Metric, tp, fp, fn, tn);
    }

    // The expected ROC curve: walking down the raw scores, each row adds p to the true positives and 1 − p to the false ones.
    private static double ExpectedAuc(ReadOnlySpan<double> scores, double[] probabilities)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double positives = probabilities.Sum(), negatives = probabilities.Length - positives;
        if (positives <= 0 || negatives <= 0)
        {
            return double.NaN;
        }

        double tpr = 0, fpr = 0, area = 0;
        for (var k = keys.Length - 1; k >= 0;)
        {
            double dp = 0, dn = 0;
            var score = keys[k];
            for (; k >= 0 && keys[k] == score; k--)
            {
                dp += probabilities[order[k]];
                dn += 1 - probabilities[order[k]];
            }

            var nextTpr = tpr + (dp / positives);
            var nextFpr = fpr + (dn / negatives);
            area += (nextFpr - fpr) * (tpr + nextTpr) / 2;
            (tpr, fpr) = (nextTpr, nextFpr);
        }

        return area;
    }

    private static double FromConfusion(EstimatedMetric metric, double tp, double fp, double fn, double tn) => metric switch
    {
        EstimatedMetric.Accuracy => (tp + tn) / (tp + fp + fn + tn),
        EstimatedMetric.Precision => tp + fp > 0 ? tp / (tp + fp) : double.NaN,
        EstimatedMetric.Recall => tp + fn > 0 ? tp / (tp + fn) : double.NaN,
        EstimatedMetric.F1 => (2 * tp) + fp + fn > 0 ? 2 * tp / ((2 * tp) + fp + fn) : double.NaN,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    private static double Realized(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, PerformanceEstimatorOptions options)
    {
        var probabilities = new double[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            probabilities[i] = labels[i] ? 1 : 0;
        }

        if (options.Metric == EstimatedMetric.RocAuc)
        {
            return ExpectedAuc(scores, probabilities);
        }

        double tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var predicted = scores[i] >= options.DecisionThreshold;
            (tp, fp, fn, tn) = (predicted, labels[i]) switch
            {
                (true, true) => (tp + 1, fp, fn, tn),
                (true, false) => (tp, fp + 1, fn, tn),
                (false, true) => (tp, fp, fn + 1, tn),
                _ => (tp, fp, fn, tn + 1),
            };
        }

        return FromConfusion(options.Metric, tp, fp, fn, tn);
    }

    // Calibrate only when it helps: fit on one half, compare Brier scores on the other, both ways.
    private static bool CalibrationHelps(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        double raw = 0, calibrated = 0;
        for (var fold = 0; fold < 2; fold++)
        {
            var fitScores = new List<double>();
            var fitLabels = new List<bool>();
            for (var i = 0; i < scores.Length; i++)
            {
                if (i % 2 != fold)
                {
                    fitScores.Add(scores[i]);
                    fitLabels.Add(labels[i]);
                }
            }

            var calibration = IsotonicCalibration.Fit(fitScores.ToArray(), fitLabels.ToArray());
            for (var i = fold; i < scores.Length; i += 2)
            {
                var y = labels[i] ? 1.0 : 0.0;
                raw += (scores[i] - y) * (scores[i] - y);
                var c = calibration.Apply(scores[i]);
                calibrated += (c - y) * (c - y);
            }
        }

        return calibrated < raw;
    }

    private static void CheckScores(ReadOnlySpan<double> scores, string parameter)
    {
        for (var i = 0; i < scores.Length; i++)
        {
            if (!(scores[i] is >= 0 and <= 1))
            {
                throw new ArgumentException($"Score {i + 1} is {scores[i]}; scores must be probabilities in [0, 1].", parameter);
            }
        }
    }
}
