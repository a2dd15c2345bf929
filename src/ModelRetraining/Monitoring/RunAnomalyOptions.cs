namespace ModelRetraining;

/// <summary>The thresholds of <see cref="RunAnomalyRules"/>.</summary>
public sealed class RunAnomalyOptions
{
    /// <summary>Gets or sets how many standard deviations above its history's mean a stage's duration must be to be slow.</summary>
    /// <value>The default value is 3 (SageMaker Debugger's step-time rule).</value>
    public double SlowStageDeviations { get; set; } = 3;

    /// <summary>Gets or sets how many earlier runs of the stage the slow-stage rule needs before it judges.</summary>
    /// <value>The default value is 10 (a stage runs once a run, not once a step: ten runs are a history).</value>
    public int MinHistory { get; set; } = 10;

    /// <summary>Gets or sets how many of the model's latest ended runs make the history.</summary>
    /// <value>The default value is 50.</value>
    public int HistoryRuns { get; set; } = 50;

    /// <summary>Gets or sets how far below the champion (a share of the champion's value, in the metric's direction) a candidate's metric must fall to be a collapse.</summary>
    /// <value>The default value is 0.5: an AUC of 0.40 against a champion's 0.85, an error twice the champion's and more.</value>
    public double MetricCollapseShare { get; set; } = 0.5;

    /// <summary>Gets or sets the factor by which the working set must grow during training to be flagged.</summary>
    /// <value>The default value is 2.</value>
    public double MemoryGrowthFactor { get; set; } = 2;

    /// <summary>Gets or sets the fewest bytes the working set must grow by during training to be flagged (small processes double easily).</summary>
    /// <value>The default value is 256 MiB.</value>
    public long MinMemoryGrowthBytes { get; set; } = 256L << 20;

    /// <summary>Checks every setting and reports every problem at once.</summary>
    /// <returns>One sentence per problem naming the setting; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(SlowStageDeviations > 0))
        {
            errors.Add($"{nameof(SlowStageDeviations)} must be above 0; it is {SlowStageDeviations}.");
        }

        if (MinHistory < 2)
        {
            errors.Add($"{nameof(MinHistory)} must be 2 or more (a deviation needs two runs); it is {MinHistory}.");
        }

        if (HistoryRuns < MinHistory)
        {
            errors.Add($"{nameof(HistoryRuns)} must be at least {nameof(MinHistory)} ({MinHistory}); it is {HistoryRuns}.");
        }

        if (!(MetricCollapseShare is > 0 and < 1))
        {
            errors.Add($"{nameof(MetricCollapseShare)} must be between 0 and 1; it is {MetricCollapseShare}.");
        }

        if (!(MemoryGrowthFactor > 1))
        {
            errors.Add($"{nameof(MemoryGrowthFactor)} must be above 1; it is {MemoryGrowthFactor}.");
        }

        if (MinMemoryGrowthBytes < 0)
        {
            errors.Add($"{nameof(MinMemoryGrowthBytes)} must be 0 or more; it is {MinMemoryGrowthBytes}.");
        }

        return errors;
    }

    internal RunAnomalyOptions Clone() => (RunAnomalyOptions)MemberwiseClone();
}
