namespace ModelRetraining;

/// <summary>What a garbage collection found and did.</summary>
/// <param name="DryRun">Whether it only reported.</param>
/// <param name="Stored">How many artifacts the store holds.</param>
/// <param name="StoredBytes">Their size.</param>
/// <param name="Referenced">How many of them some source references.</param>
/// <param name="Unreferenced">The unreferenced artifacts old enough to delete: deleted unless <paramref name="DryRun"/>.</param>
/// <param name="SparedAsTooYoung">Unreferenced artifacts younger than the minimum age: left alone.</param>
/// <param name="Deleted">How many were deleted.</param>
/// <param name="DeletedBytes">Their size.</param>
public sealed record ArtifactCollectionReport(
    bool DryRun,
    int Stored,
    long StoredBytes,
    int Referenced,
    IReadOnlyList<StoredArtifact> Unreferenced,
    int SparedAsTooYoung,
    int Deleted,
    long DeletedBytes);
