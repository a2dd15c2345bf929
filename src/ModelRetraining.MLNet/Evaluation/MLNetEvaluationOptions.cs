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

    /// <summary>Gets or sets the probability at or above which a binary prediction counts as positive, for Accuracy, F1, Precision and Recall.</summary>
    /// <value>The default value is 0.5.</value>
    public double DecisionThreshold { get; set; } = 0.5;

    internal IReadOnlyList<string> Validate(MLTask task)
    {
        var errors = new List<string>();
        if (!(DecisionThreshold > 0 && DecisionThreshold < 1))
        {
            errors.Add($"{nameof(DecisionThreshold)} must be in (0, 1); it is {DecisionThreshold}.");
        }

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
