namespace ModelRetraining;

/// <summary>What <see cref="DatasetStore.PruneAsync"/> did.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Deleted">The batches it removed (index rows and, where no other batch shares them, their rows' bytes).</param>
/// <param name="KeptForLineage">The batches past the retention that it kept because a registered version was trained or evaluated on them.</param>
/// <param name="BytesReclaimed">The bytes of row content it deleted from the artifact store.</param>
public sealed record DatasetPruneResult(string Dataset, IReadOnlyList<DatasetBatch> Deleted, IReadOnlyList<DatasetBatch> KeptForLineage, long BytesReclaimed);
