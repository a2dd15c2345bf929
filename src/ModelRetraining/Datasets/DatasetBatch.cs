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
    private readonly IReadOnlyList<ArtifactReference>? _parts;

    /// <summary>Gets the idempotency key it was sent with, if any: the same key again returns this batch instead of storing a second.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets the warnings its source reported (Error-level issues refuse a batch, so none are here).</summary>
    public IReadOnlyList<DataValidationIssue> Warnings { get; init; } = [];

    /// <summary>Gets how many rows the checks quarantined (left out of the stored rows).</summary>
    public long Quarantined { get; init; }

    /// <summary>Gets where its rows are, part by part in order: a batch stored in one part (most are) has one, <see cref="Content"/>; a large upload has several (<see cref="DatasetStore.BeginBatch"/>).</summary>
    public IReadOnlyList<ArtifactReference> Parts
    {
        get => _parts ?? [Content];
        init => _parts = value;
    }

    /// <summary>Gets the batch's id: the dataset and its sequence, as <c>flights#12</c>.</summary>
    public string Id => $"{Dataset}#{Sequence}";

    /// <summary>Compares two batches by value, their parts and warnings item by item.</summary>
    /// <param name="other">The other batch.</param>
    /// <returns>Whether they are the same batch with the same contents.</returns>
    public bool Equals(DatasetBatch? other)
        => other is not null
            && (Dataset, Sequence, ReceivedAt, Source, SentBy, Rows, Fingerprint, SchemaHash, Content, IdempotencyKey, Quarantined) == (other.Dataset, other.Sequence, other.ReceivedAt, other.Source, other.SentBy, other.Rows, other.Fingerprint, other.SchemaHash, other.Content, other.IdempotencyKey, other.Quarantined)
            && Parts.SequenceEqual(other.Parts)
            && Warnings.SequenceEqual(other.Warnings);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Dataset, Sequence, Fingerprint);
}
