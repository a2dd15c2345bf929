namespace ModelRetraining;

/// <summary>One immutable batch of a dataset in a <see cref="DatasetStore"/>.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Sequence">The batch's number within its dataset, from 1, in arrival order.</param>
/// <param name="ReceivedAt">When it was stored.</param>
/// <param name="Source">Where it came from (the source's name or location).</param>
/// <param name="SentBy">Who sent it.</param>
/// <param name="Rows">Its row count.</param>
/// <param name="Fingerprint">The rows' value-based fingerprint (<see cref="DatasetSnapshotBuilder"/>).</param>
/// <param name="SchemaHash">A hash of its columns' names, kinds and roles: batches of one dataset that differ here do not read as one window.</param>
/// <param name="Content">Where its rows are in the artifact store.</param>
public sealed record DatasetBatch(string Dataset, long Sequence, DateTimeOffset ReceivedAt, string Source, string SentBy, long Rows, string Fingerprint, string SchemaHash, ArtifactReference Content)
{
    /// <summary>Gets the idempotency key it was sent with, if any: the same key again returns this batch instead of storing a second.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets the warnings its source reported (Error-level issues refuse a batch, so none are here).</summary>
    public IReadOnlyList<DataValidationIssue> Warnings { get; init; } = [];

    /// <summary>Gets how many rows the checks quarantined (left out of the stored rows).</summary>
    public long Quarantined { get; init; }

    /// <summary>Gets the batch's id: the dataset and its sequence, as <c>flights#12</c>.</summary>
    public string Id => $"{Dataset}#{Sequence}";
}
