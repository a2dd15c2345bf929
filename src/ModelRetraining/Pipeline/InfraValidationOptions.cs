namespace ModelRetraining;

/// <summary>
/// What an infra validation checks: how many holdout rows are scored and compared with the evaluation's
/// scores, how closely they must match, and the latency and memory budgets the candidate must meet.
/// </summary>
public class InfraValidationOptions
{
    /// <summary>Gets or sets how many holdout rows are scored and compared with the evaluation's scores.</summary>
    /// <value>The default value is 1,000.</value>
    public int SampleRows { get; set; } = 1_000;

    /// <summary>Gets or sets the largest absolute difference allowed from the evaluation's scores.</summary>
    /// <value>The default value is 1e-5.</value>
    public double Tolerance { get; set; } = 1e-5;

    /// <summary>Gets or sets how many single-row predictions are timed for the latency percentiles.</summary>
    /// <value>The default value is 200.</value>
    public int LatencyRuns { get; set; } = 200;

    /// <summary>Gets or sets the budget for the median single-row latency; none when <see langword="null"/>.</summary>
    public TimeSpan? MaxLatencyP50 { get; set; }

    /// <summary>Gets or sets the budget for the 99th-percentile single-row latency; none when <see langword="null"/>.</summary>
    public TimeSpan? MaxLatencyP99 { get; set; }

    /// <summary>Gets or sets the budget for the process's working-set growth while the model loads and scores; none when <see langword="null"/>.</summary>
    public long? MaxMemoryGrowthBytes { get; set; }

    /// <summary>Lists every invalid setting.</summary>
    /// <returns>One message per invalid setting, naming it; empty when all are valid.</returns>
    public virtual IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SampleRows < 1)
        {
            errors.Add($"{nameof(SampleRows)} must be 1 or more; it is {SampleRows}.");
        }

        if (!(Tolerance >= 0) || !double.IsFinite(Tolerance))
        {
            errors.Add($"{nameof(Tolerance)} must be zero or a positive number; it is {Tolerance}.");
        }

        if (LatencyRuns < 1)
        {
            errors.Add($"{nameof(LatencyRuns)} must be 1 or more; it is {LatencyRuns}.");
        }

        if (MaxLatencyP50 <= TimeSpan.Zero || MaxLatencyP99 <= TimeSpan.Zero || MaxMemoryGrowthBytes <= 0)
        {
            errors.Add("Latency and memory budgets must be positive when set.");
        }

        return errors;
    }
}
