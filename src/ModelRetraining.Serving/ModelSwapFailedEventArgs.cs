namespace ModelRetraining.Serving;

/// <summary>A moved alias named a version that could not be served.</summary>
/// <param name="attempted">The version that failed to load.</param>
/// <param name="stillServing">The version still served, if any.</param>
/// <param name="error">Why it failed.</param>
public sealed class ModelSwapFailedEventArgs(ModelVersion attempted, ModelVersion? stillServing, Exception error) : EventArgs
{
    /// <summary>Gets the version that failed to load.</summary>
    public ModelVersion Attempted { get; } = attempted;

    /// <summary>Gets the version still served, if any.</summary>
    public ModelVersion? StillServing { get; } = stillServing;

    /// <summary>Gets why it failed.</summary>
    public Exception Error { get; } = error;
}
