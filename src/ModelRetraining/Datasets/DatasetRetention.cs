namespace ModelRetraining;

/// <summary>
/// How long a dataset's batches are kept (<see cref="DatasetStore.PruneAsync"/>). A batch is kept while it is
/// among the last <see cref="KeepBatches"/> or younger than <see cref="KeepFor"/> (either bound keeps it), the newest
/// batch always (batch numbers are never reused), and always while a registered model version names it in its lineage, so every version stays reproducible.
/// </summary>
public sealed record DatasetRetention
{
    /// <summary>Gets how many of the latest batches are kept whatever their age; none when <see langword="null"/>.</summary>
    public int? KeepBatches { get; init; }

    /// <summary>Gets how long after arrival a batch is kept; no age bound when <see langword="null"/>.</summary>
    public TimeSpan? KeepFor { get; init; }
}
