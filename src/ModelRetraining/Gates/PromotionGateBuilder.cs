namespace ModelRetraining;

/// <summary>
/// Composes a promotion gate from criteria, all of which must pass:
/// <c>g.Metric("AUC").AtLeast(0.6).NoWorseThanChampion("AUC", margin: 0.005).OnFirstRun(FirstRunPolicy.ValueThresholdsOnly)</c>.
/// Settings are checked when the gate is added to a pipeline, and every problem is reported at once.
/// </summary>
public sealed class PromotionGateBuilder
{
    private readonly List<GateCriterion> _criteria = [];
    private readonly List<string> _errors = [];
    private bool _requireApproval;

    /// <summary>Gets or sets the gate's name in decisions and logs.</summary>
    /// <value>The default value is <c>thresholds</c>.</value>
    public string Name { get; set; } = "thresholds";

    /// <summary>Gets or sets what comparisons with the champion do when there is no champion.</summary>
    /// <value>The default value is <see cref="FirstRunPolicy.ValueThresholdsOnly"/>.</value>
    public FirstRunPolicy FirstRunPolicy { get; set; } = FirstRunPolicy.ValueThresholdsOnly;

    /// <summary>Starts a value threshold on a metric.</summary>
    /// <param name="metric">The metric name, as the evaluator reports it (<c>AUC</c>, <c>LogLoss</c>, <c>RMSE</c>).</param>
    /// <returns>A builder for the bounds.</returns>
    public MetricThresholdBuilder Metric(string metric)
    {
        if (string.IsNullOrWhiteSpace(metric))
        {
            _errors.Add("Metric(...): the metric name is empty.");
        }

        return new MetricThresholdBuilder(this, metric ?? string.Empty);
    }

    /// <summary>The candidate may be at most <paramref name="margin"/> worse than the champion on <paramref name="metric"/>, in the metric's direction.</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="margin">How much worse is tolerated (0: at least as good). Must be 0 or more.</param>
    /// <returns>This builder.</returns>
    public PromotionGateBuilder NoWorseThanChampion(string metric, double margin = 0)
    {
        if (string.IsNullOrWhiteSpace(metric))
        {
            _errors.Add("NoWorseThanChampion(...): the metric name is empty.");
        }

        if (double.IsNaN(margin) || double.IsInfinity(margin) || margin < 0)
        {
            _errors.Add($"NoWorseThanChampion(\"{metric}\"): margin must be a finite number of 0 or more (the tolerated loss); it is {margin}.");
        }

        _criteria.Add(new ChampionComparisonCriterion(metric ?? string.Empty, margin));
        return this;
    }

    /// <summary>The candidate must be significantly better than the champion on <paramref name="metric"/> (one-sided, at <paramref name="alpha"/>), judged on both models' per-row outputs on the same holdout rows.</summary>
    /// <param name="metric">AUC, Accuracy, LogLoss, Brier, RMSE, MSE, MAE or MicroAccuracy.</param>
    /// <param name="alpha">The one-sided level.</param>
    /// <param name="test">The test; <see cref="SignificanceTest.Auto"/> is DeLong for AUC, McNemar for Accuracy, the bootstrap otherwise.</param>
    /// <param name="resamples">Bootstrap resamples.</param>
    /// <param name="seed">Bootstrap seed: same seed, same decision.</param>
    /// <returns>This builder.</returns>
    public PromotionGateBuilder SignificantlyBetter(string metric, double alpha = 0.05, SignificanceTest test = SignificanceTest.Auto, int resamples = 1_000, int seed = 1)
        => AddSignificance(metric, 0, alpha, test, resamples, seed, superiority: true);

    /// <summary>Non-inferiority with a test: the candidate must not be significantly worse than the champion by <paramref name="margin"/> or more.</summary>
    /// <param name="metric">AUC, Accuracy, LogLoss, Brier, RMSE, MSE, MAE or MicroAccuracy.</param>
    /// <param name="margin">The tolerated loss, 0 or more.</param>
    /// <param name="alpha">The one-sided level.</param>
    /// <param name="test">The test.</param>
    /// <param name="resamples">Bootstrap resamples.</param>
    /// <param name="seed">Bootstrap seed.</param>
    /// <returns>This builder.</returns>
    public PromotionGateBuilder NotSignificantlyWorse(string metric, double margin, double alpha = 0.05, SignificanceTest test = SignificanceTest.Auto, int resamples = 1_000, int seed = 1)
        => AddSignificance(metric, margin, alpha, test, resamples, seed, superiority: false);

    /// <summary>No slice of <paramref name="sliceColumnOrName"/> may be worse than the champion's same slice on <paramref name="metric"/> by more than <paramref name="margin"/>; the decision names the worst slice. The pipeline must evaluate those slices (<see cref="PromotionGatePipelineBuilderExtensions.SliceEvaluationBy(RetrainingPipelineBuilder, string)"/>).</summary>
    /// <param name="sliceColumnOrName">The slicing column, or the name of a predicate slice.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="margin">The tolerated loss per slice, 0 or more.</param>
    /// <returns>This builder.</returns>
    public PromotionGateBuilder NoSliceWorseThan(string sliceColumnOrName, string metric, double margin)
    {
        if (string.IsNullOrWhiteSpace(sliceColumnOrName) || string.IsNullOrWhiteSpace(metric))
        {
            _errors.Add("NoSliceWorseThan(...): the slice and the metric must be named.");
        }
        else if (!PairedStatistics.Supported.ContainsKey(metric))
        {
            _errors.Add($"NoSliceWorseThan(\"{sliceColumnOrName}\", \"{metric}\"): slices are measured from per-row outputs; use one of {string.Join(", ", PairedStatistics.Supported.Keys)}.");
        }

        if (!(margin >= 0) || double.IsInfinity(margin))
        {
            _errors.Add($"NoSliceWorseThan(\"{sliceColumnOrName}\"): margin must be a finite number of 0 or more; it is {margin}.");
        }

        _criteria.Add(new WorstSliceCriterion(sliceColumnOrName ?? string.Empty, metric ?? string.Empty, margin));
        return this;
    }

    /// <summary>After every other criterion passes, a person must approve: the run ends <see cref="RetrainingRunStatus.AwaitingApproval"/> and an <see cref="ApprovalGateway"/> request waits in the registry.</summary>
    /// <returns>This builder.</returns>
    public PromotionGateBuilder RequireApproval()
    {
        _requireApproval = true;
        return this;
    }

    /// <summary>The change against the champion relative to the champion's value, (candidate − champion) / |champion| in the metric's direction, must be at least <paramref name="minimum"/>: 0.01 requires a 1% improvement, −0.02 tolerates a 2% loss. A champion value of 0 is handled and said.</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="minimum">The smallest accepted relative improvement.</param>
    /// <returns>This builder.</returns>
    public PromotionGateBuilder RelativeChangeFromChampion(string metric, double minimum)
    {
        if (string.IsNullOrWhiteSpace(metric))
        {
            _errors.Add("RelativeChangeFromChampion(...): the metric name is empty.");
        }

        if (!double.IsFinite(minimum) || minimum <= -1)
        {
            _errors.Add($"RelativeChangeFromChampion(\"{metric}\"): minimum must be a finite number above -1 (a relative loss of 100% or more means anything passes); it is {minimum}.");
        }

        _criteria.Add(new RelativeChangeCriterion(metric ?? string.Empty, minimum));
        return this;
    }

    /// <summary>A criterion of your own, as a delegate; an exception it throws fails the criterion closed, with the message.</summary>
    /// <param name="name">The criterion's name in decisions.</param>
    /// <param name="judge">Returns the row: passed or not, with a sentence.</param>
    /// <returns>This builder.</returns>
    public PromotionGateBuilder Custom(string name, Func<EvaluationReport, GateCriterionResult> judge)
    {
        if (string.IsNullOrWhiteSpace(name) || judge is null)
        {
            _errors.Add("Custom(...): the criterion needs a name and a delegate.");
        }

        _criteria.Add(new DelegateCriterion(name ?? "custom", judge!));
        return this;
    }

    /// <summary>Sets the first-run policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>This builder.</returns>
    public PromotionGateBuilder OnFirstRun(FirstRunPolicy policy)
    {
        FirstRunPolicy = policy;
        return this;
    }

    private PromotionGateBuilder AddSignificance(string metric, double margin, double alpha, SignificanceTest test, int resamples, int seed, bool superiority)
    {
        var rule = superiority ? $"SignificantlyBetter(\"{metric}\")" : $"NotSignificantlyWorse(\"{metric}\")";
        if (string.IsNullOrWhiteSpace(metric))
        {
            _errors.Add($"{rule}: the metric name is empty.");
        }
        else if (!PairedStatistics.Supported.ContainsKey(metric))
        {
            _errors.Add($"{rule}: '{metric}' cannot be recomputed from per-row outputs; use one of {string.Join(", ", PairedStatistics.Supported.Keys)}.");
        }

        if (!(alpha > 0 && alpha < 0.5))
        {
            _errors.Add($"{rule}: alpha must be in (0, 0.5); it is {alpha}.");
        }

        if (!(margin >= 0) || double.IsInfinity(margin))
        {
            _errors.Add($"{rule}: margin must be a finite number of 0 or more; it is {margin}.");
        }

        if (resamples < 100)
        {
            _errors.Add($"{rule}: at least 100 resamples are needed; got {resamples}.");
        }

        if ((test == SignificanceTest.DeLong && metric != "AUC") || (test == SignificanceTest.McNemar && metric != "Accuracy") || !Enum.IsDefined(test))
        {
            _errors.Add($"{rule}: test {test} does not apply to {metric} (DeLong is for AUC, McNemar for Accuracy).");
        }

        _criteria.Add(new SignificanceCriterion(metric ?? string.Empty, margin, alpha, test, resamples, seed, superiority));
        return this;
    }

    // Directions of the metrics the built-in evaluators report, to catch a bound that points the wrong way.
    private static readonly Dictionary<string, MetricDirection> KnownDirections = new(StringComparer.Ordinal)
    {
        ["AUC"] = MetricDirection.HigherIsBetter, ["PR-AUC"] = MetricDirection.HigherIsBetter, ["Accuracy"] = MetricDirection.HigherIsBetter,
        ["F1"] = MetricDirection.HigherIsBetter, ["Precision"] = MetricDirection.HigherIsBetter, ["Recall"] = MetricDirection.HigherIsBetter,
        ["MicroAccuracy"] = MetricDirection.HigherIsBetter, ["MacroAccuracy"] = MetricDirection.HigherIsBetter, ["MacroF1"] = MetricDirection.HigherIsBetter,
        ["MicroF1"] = MetricDirection.HigherIsBetter, ["R2"] = MetricDirection.HigherIsBetter,
        ["LogLoss"] = MetricDirection.LowerIsBetter, ["Brier"] = MetricDirection.LowerIsBetter, ["ECE"] = MetricDirection.LowerIsBetter,
        ["RMSE"] = MetricDirection.LowerIsBetter, ["MSE"] = MetricDirection.LowerIsBetter, ["MAE"] = MetricDirection.LowerIsBetter, ["MAPE"] = MetricDirection.LowerIsBetter,
    };

    internal PromotionGateBuilder AddValueThreshold(string metric, double? lower, double? upper)
    {
        if (KnownDirections.TryGetValue(metric, out var direction))
        {
            if (direction == MetricDirection.LowerIsBetter && lower is not null && upper is null)
            {
                _errors.Add($"Metric(\"{metric}\").AtLeast({lower}): lower {metric} is better, so a lower bound alone rejects the best models; use AtMost(...) (or Between(...) if you mean a range).");
            }
            else if (direction == MetricDirection.HigherIsBetter && upper is not null && lower is null)
            {
                _errors.Add($"Metric(\"{metric}\").AtMost({upper}): higher {metric} is better, so an upper bound alone rejects the best models; use AtLeast(...) (or Between(...) if you mean a range).");
            }
        }

        if (lower is { } l && !double.IsFinite(l))
        {
            _errors.Add($"Metric(\"{metric}\"): the lower bound must be a finite number; it is {l}.");
        }

        if (upper is { } u && !double.IsFinite(u))
        {
            _errors.Add($"Metric(\"{metric}\"): the upper bound must be a finite number; it is {u}.");
        }

        if (lower is { } lo && upper is { } hi && lo > hi)
        {
            _errors.Add($"Metric(\"{metric}\"): the lower bound {lo} is above the upper bound {hi}.");
        }

        _criteria.Add(new ValueThresholdCriterion(metric, lower, upper));
        return this;
    }

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(_errors);
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("Name: the gate needs a name.");
        }

        if (!Enum.IsDefined(FirstRunPolicy))
        {
            errors.Add($"FirstRunPolicy: {(int)FirstRunPolicy} is not a defined policy.");
        }

        if (_criteria.Count == 0 && !_requireApproval)
        {
            errors.Add("The gate has no criterion: add Metric(...).AtLeast(...) or NoWorseThanChampion(...).");
        }

        return errors;
    }

    internal IPromotionGate Build() => new ThresholdPromotionGate(Name, _criteria.ToArray(), FirstRunPolicy, _requireApproval);
}
