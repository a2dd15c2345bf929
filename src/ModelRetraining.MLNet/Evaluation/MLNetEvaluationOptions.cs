namespace ModelRetraining.MLNet;

/// <summary>Options of ML.NET evaluation.</summary>
public sealed class MLNetEvaluationOptions
{
    /// <summary>Gets or sets the label column; <see langword="null"/> takes the holdout schema's label.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? LabelColumn { get; set; }

    /// <summary>Gets or sets a value indicating whether each model's per-row outputs are kept in the report for paired tests.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool KeepPerRowOutputs { get; set; } = true;

    /// <summary>Gets or sets the <c>MLContext</c> seed used for evaluation.</summary>
    /// <value>The default value is 1.</value>
    public int Seed { get; set; } = 1;

    internal IReadOnlyList<string> Validate(MLTask task)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(task))
        {
            errors.Add($"Task {(int)task} is not a defined ML task.");
        }

        if (LabelColumn is { Length: 0 })
        {
            errors.Add($"{nameof(LabelColumn)} is empty; leave it null to use the holdout's label.");
        }

        return errors;
    }
}
