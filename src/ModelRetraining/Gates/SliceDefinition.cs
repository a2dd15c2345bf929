namespace ModelRetraining;

/// <summary>How the holdout is cut into slices: by the values of a column, or by a named predicate.</summary>
internal sealed record SliceDefinition(string Name, string? Column, Func<QualityRow, bool>? Predicate);
