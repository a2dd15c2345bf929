namespace ModelRetraining;

/// <summary>The serialized form of a model, as stored in the registry.</summary>
/// <param name="Flavor">Which loader reads it, such as <c>mlnet</c> or <c>onnx</c>.</param>
/// <param name="FileName">A file name for people and tools, such as <c>model.zip</c>.</param>
/// <param name="Content">The bytes.</param>
public sealed record ModelArtifact(string Flavor, string FileName, ReadOnlyMemory<byte> Content);
