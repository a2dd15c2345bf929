namespace ModelRetraining;

/// <summary>A data set a model version was trained or evaluated on, kept for lineage.</summary>
/// <param name="Role">Its role: <c>training</c> or <c>holdout</c>.</param>
/// <param name="Name">The data set's name (file, table).</param>
/// <param name="Fingerprint">The content fingerprint.</param>
/// <param name="Rows">The number of rows.</param>
public sealed record DatasetReference(string Role, string Name, string Fingerprint, long Rows);
