namespace ModelRetraining.Serving;

/// <summary>Options of a <see cref="ModelServer{TInput, TOutput}"/>.</summary>
public sealed class ModelServerOptions
{
    /// <summary>Gets or sets the alias served.</summary>
    /// <value>The default value is <c>champion</c>.</value>
    public string Alias { get; set; } = ModelAliases.Champion;

    /// <summary>Gets or sets how often the registry is polled for a moved alias (moves in other processes); moves made through the registry object the server follows are served at once when it tells of them (<see cref="IAliasMoveSource"/>: the embedded and in-memory registries do).</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets whether the version swapped out stays loaded (warm, its prediction engines kept) as a
    /// standby, so that a rollback to it, or the alias moving back to it, swaps at once with no load: the
    /// rollback readiness a bad promotion needs. The standby is let go when a third version replaces it,
    /// and costs the memory of a second model; turn it off where two models do not fit.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool KeepPreviousVersionLoaded { get; set; } = true;

    /// <summary>Gets or sets how long a prediction id accepts an outcome.</summary>
    /// <value>The default value is 24 hours.</value>
    public TimeSpan OutcomeWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how many prediction ids are kept for outcomes, at least (a ring allocated at start, rounded up to a power of two: about 48 bytes a slot); the oldest are forgotten first.</summary>
    /// <value>The default value is 100,000.</value>
    public int MaxPendingOutcomes { get; set; } = 100_000;

    /// <summary>
    /// Gets the loaders that turn a version into a model that predicts, asked in order: the first that can
    /// load a version (by its flavor and attachments) loads it. Add the ML.NET package's
    /// <c>MLNetModelLoader</c>, the ONNX package's <c>OnnxModelLoader</c>, or your own
    /// <see cref="IServingModelLoader"/>; at least one is required.
    /// </summary>
    public IList<IServingModelLoader> Loaders { get; } = new List<IServingModelLoader>();

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Alias))
        {
            errors.Add($"{nameof(Alias)} is empty.");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(PollInterval)} must be positive; it is {PollInterval}.");
        }

        if (OutcomeWindow <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(OutcomeWindow)} must be positive; it is {OutcomeWindow}.");
        }

        if (MaxPendingOutcomes < 1)
        {
            errors.Add($"{nameof(MaxPendingOutcomes)} must be 1 or more; it is {MaxPendingOutcomes}.");
        }

        if (Loaders.Count == 0)
        {
            errors.Add($"{nameof(Loaders)} is empty: add the loader of the runtime that serves the model (new MLNetModelLoader() from ModelRetraining.MLNet, new OnnxModelLoader(...) from ModelRetraining.Onnx, or your own IServingModelLoader).");
        }
        else if (Loaders.Any(l => l is null))
        {
            errors.Add($"{nameof(Loaders)} holds a null loader.");
        }

        return errors;
    }
}
