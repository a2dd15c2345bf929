namespace ModelRetraining;

/// <summary>What a registry backend found when it checked itself.</summary>
/// <param name="Backend">The backend and where it lives.</param>
/// <param name="Problems">What is wrong, one sentence each; empty when healthy.</param>
public sealed record RegistryHealthReport(string Backend, IReadOnlyList<string> Problems)
{
    /// <summary>Gets a value indicating whether nothing is wrong.</summary>
    public bool Healthy => Problems.Count == 0;

    /// <summary>Gets the partial artifact files of interrupted writes that were removed when the store opened.</summary>
    public int PartialFilesRemoved { get; init; }

    /// <summary>Gets the partial artifact files left because a live write may still own them.</summary>
    public int PartialFilesRemaining { get; init; }

    /// <summary>Gets the size of the partial files left.</summary>
    public long PartialBytesRemaining { get; init; }
}
