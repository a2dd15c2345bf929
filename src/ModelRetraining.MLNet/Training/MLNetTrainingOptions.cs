namespace ModelRetraining.MLNet;

/// <summary>Options of ML.NET training.</summary>
public sealed class MLNetTrainingOptions
{
    /// <summary>Gets or sets the <c>MLContext</c> seed, so that the same data gives the same model.</summary>
    /// <value>The default value is 1.</value>
    public int Seed { get; set; } = 1;

    /// <summary>Gets or sets the trainer's name in reports and version parameters.</summary>
    /// <value>The default value is <c>mlnet</c>.</value>
    public string Name { get; set; } = "mlnet";

    /// <summary>Gets or sets the longest training may take; <see langword="null"/> for no limit. Training is never retried by itself.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how often ML.NET's own training progress (LightGBM iterations, FastTree trees) is read into the run's progress while it fits.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ProgressInterval < TimeSpan.FromMilliseconds(10))
        {
            errors.Add($"{nameof(ProgressInterval)} must be at least 10 ms; it is {ProgressInterval}.");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{nameof(Name)} is empty.");
        }

        if (Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(Timeout)} must be positive; it is {timeout}.");
        }

        return errors;
    }
}
