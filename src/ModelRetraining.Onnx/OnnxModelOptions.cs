namespace ModelRetraining.Onnx;

/// <summary>How an <see cref="OnnxModel"/> is loaded and run.</summary>
public sealed class OnnxModelOptions
{
    /// <summary>Gets the execution providers in order of preference; the first that loads is used.</summary>
    /// <value>The default value is CUDA, then CPU.</value>
    public IList<OnnxExecutionProvider> ExecutionProviders { get; } = [OnnxExecutionProvider.Cuda, OnnxExecutionProvider.Cpu];

    /// <summary>Gets or sets the CUDA device.</summary>
    /// <value>The default value is 0.</value>
    public int DeviceId { get; set; }

    /// <summary>Gets or sets a value indicating whether a model that cannot run on the GPU is an error rather than a fallback to the CPU (logged as a warning).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RequireGpu { get; set; }

    /// <summary>Gets or sets how many rows one call to ONNX Runtime scores.</summary>
    /// <value>The default value is 65,536.</value>
    public int BatchSize { get; set; } = 65_536;

    /// <summary>Gets or sets the output that holds the score (a probability, or a regression value); <see langword="null"/> picks <c>Probability.output</c>, then <c>Score.output</c>, then the only float output.</summary>
    public string? ScoreOutput { get; set; }

    /// <summary>Gets the class labels of a multiclass model, in the order of its score vector; when empty, the labels an ML.NET export embeds are used.</summary>
    public IList<string> ClassLabels { get; } = [];

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ExecutionProviders.Count == 0)
        {
            errors.Add($"{nameof(ExecutionProviders)} is empty; list at least one (Cpu).");
        }

        if (RequireGpu && !ExecutionProviders.Contains(OnnxExecutionProvider.Cuda))
        {
            errors.Add($"{nameof(RequireGpu)} is set but {nameof(ExecutionProviders)} does not list Cuda.");
        }

        if (DeviceId < 0)
        {
            errors.Add($"{nameof(DeviceId)} must be 0 or more; it is {DeviceId}.");
        }

        if (BatchSize < 1)
        {
            errors.Add($"{nameof(BatchSize)} must be 1 or more; it is {BatchSize}.");
        }

        if (ClassLabels.Distinct(StringComparer.Ordinal).Count() != ClassLabels.Count)
        {
            errors.Add($"{nameof(ClassLabels)} lists a label twice: {string.Join(", ", ClassLabels)}.");
        }

        return errors;
    }
}
