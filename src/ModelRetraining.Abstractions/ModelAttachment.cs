namespace ModelRetraining;

/// <summary>A further artifact stored with a version: its training-data profile, inferred schema, an ONNX export.</summary>
/// <param name="Name">The attachment's name within the version, such as <c>profile.json</c>.</param>
/// <param name="Flavor">What reads it, such as <c>profile</c> or <c>onnx</c>.</param>
/// <param name="FileName">A file name for people and tools.</param>
/// <param name="Artifact">Where its bytes live in the artifact store.</param>
public sealed record ModelAttachment(string Name, string Flavor, string FileName, ArtifactReference Artifact);
