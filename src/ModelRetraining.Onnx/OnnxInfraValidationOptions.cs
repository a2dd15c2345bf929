namespace ModelRetraining.Onnx;

/// <summary>Options of the ONNX infra validation: how the candidate is loaded, and the budgets it must meet.</summary>
public sealed class OnnxInfraValidationOptions
{
    /// <summary>Gets how the model is loaded: execution providers, device, <see cref="OnnxModelOptions.RequireGpu"/>, as serving will load it.</summary>
    public OnnxModelOptions Model { get; } = new();

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

    internal IReadOnlyList<string> Validate()
    {
        var errors = Model.Validate().Select(e => $"{nameof(Model)}.{e}").ToList();
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
