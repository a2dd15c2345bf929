namespace ModelRetraining;

/// <summary>A candidate model fresh from a trainer.</summary>
/// <param name="Artifact">The serialized model.</param>
/// <param name="TrainingData">The fingerprint of the data it was fitted on.</param>
/// <param name="Duration">How long fitting took.</param>
public sealed record TrainedModel(ModelArtifact Artifact, string TrainingData, TimeSpan Duration)
{
    /// <summary>Gets the live model object (an ML.NET <c>ITransformer</c>, say), so evaluators need not deserialize the artifact again.</summary>
    public object? LiveModel { get; init; }

    /// <summary>Gets the training parameters to record with the version (trainer, seed, hyper-parameters).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the number of training rows.</summary>
    public long TrainingRows { get; init; }

    /// <summary>Gets further artifacts of the same model (an ONNX export, say), stored as attachments of the version it becomes, by name.</summary>
    public IReadOnlyDictionary<string, ModelArtifact> Attachments { get; init; } = new Dictionary<string, ModelArtifact>();
}
