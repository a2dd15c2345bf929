namespace ModelRetraining;

/// <summary>One model's metrics on one slice of the holdout (the rows with one value of a column, or matching a predicate).</summary>
/// <param name="Slice">The slice's name: <c>column=value</c>, or the predicate's name.</param>
/// <param name="Rows">The holdout rows in the slice.</param>
/// <param name="Metrics">The metrics on those rows.</param>
public sealed record SliceEvaluation(string Slice, long Rows, IReadOnlyDictionary<string, MetricValue> Metrics)
{
    /// <summary>Gets a value indicating whether the slice is large enough to be judged by gates (it is reported either way).</summary>
    public bool Judged { get; init; } = true;
}
