namespace ModelRetraining;

/// <summary>A request to register a new model version.</summary>
/// <param name="ModelName">The model; created on first registration.</param>
/// <param name="Artifact">The serialized model.</param>
/// <param name="Actor">Who registers it.</param>
public sealed record NewModelVersion(string ModelName, ModelArtifact Artifact, string Actor)
{
    /// <summary>Gets the champion the version was trained to replace.</summary>
    public int? ParentVersion { get; init; }

    /// <summary>Gets the run that produced it.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets a description for people.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the metrics to record.</summary>
    public IReadOnlyDictionary<string, MetricValue> Metrics { get; init; } = new Dictionary<string, MetricValue>();

    /// <summary>Gets the training parameters to record.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the data sets to record for lineage.</summary>
    public IReadOnlyList<DatasetReference> Datasets { get; init; } = [];

    /// <summary>Gets the initial tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets further artifacts to store with the version, by name (a training-data profile, an ONNX export).</summary>
    public IReadOnlyDictionary<string, ModelArtifact> Attachments { get; init; } = new Dictionary<string, ModelArtifact>();

    /// <summary>Gets the promotion decision, serialized as JSON.</summary>
    public string? Decision { get; init; }
}
