namespace ModelRetraining;

/// <summary>
/// The flavors of model artifacts this library's adapters write and read. A flavor says which loader reads
/// an artifact (<see cref="ModelArtifact.Flavor"/>, <see cref="ModelVersion.Flavor"/>); serving picks its
/// loader by it. Third-party adapters may add their own flavors: they are plain strings.
/// </summary>
public static class ArtifactFlavors
{
    /// <summary>An ML.NET model zip, read by <c>MLContext.Model.Load</c>.</summary>
    public const string MLNet = "mlnet";

    /// <summary>An ONNX model, read by ONNX Runtime.</summary>
    public const string Onnx = "onnx";
}
