namespace ModelRetraining;

/// <summary>How <see cref="ArtifactGarbageCollector"/> collects: whether it deletes, and what it spares.</summary>
public sealed class ArtifactCollectionOptions
{
    /// <summary>The shortest <see cref="MinAge"/> accepted: the S3 and Azure Blob stores re-write bytes stored again once they are older than this.</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets a value indicating whether the collection only reports what it would delete. Default <see langword="true"/>: deleting is asked for.</summary>
    public bool DryRun { get; set; } = true;

    /// <summary>
    /// Gets or sets the youngest an unreferenced artifact may be and still be deleted. A registration or an
    /// upload in flight writes its artifacts before the row that references them; anything younger is spared.
    /// At least <see cref="Shortest"/>. Default 24 hours.
    /// </summary>
    public TimeSpan MinAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets the clock the age is measured by; the system clock when <see langword="null"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
