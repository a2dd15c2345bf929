namespace ModelRetraining;

/// <summary>A registered model version: immutable, numbered 1, 2, 3… per model.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The version number, monotonic per model.</param>
/// <param name="Artifact">Where the artifact lives in the artifact store.</param>
/// <param name="Flavor">Which loader reads the artifact.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="CreatedBy">Who registered it.</param>
public sealed record ModelVersion(string ModelName, int Version, ArtifactReference Artifact, string Flavor, DateTimeOffset CreatedAt, string CreatedBy)
{
    /// <summary>Gets the artifact's file name, for people and tools.</summary>
    /// <value>The default value is <c>model.bin</c>.</value>
    public string ArtifactFileName { get; init; } = "model.bin";

    /// <summary>Gets the champion this version was trained to replace, if any.</summary>
    public int? ParentVersion { get; init; }

    /// <summary>Gets the run that produced this version, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets a description for people.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the version's metrics on its holdout.</summary>
    public IReadOnlyDictionary<string, MetricValue> Metrics { get; init; } = new Dictionary<string, MetricValue>();

    /// <summary>Gets the training parameters.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the data sets it was trained and evaluated on.</summary>
    public IReadOnlyList<DatasetReference> Datasets { get; init; } = [];

    /// <summary>Gets the tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the further artifacts stored with the version.</summary>
    public IReadOnlyList<ModelAttachment> Attachments { get; init; } = [];

    /// <summary>Gets the promotion decision taken on this version, serialized as JSON, if any.</summary>
    public string? Decision { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{ModelName} v{Version}";
}
