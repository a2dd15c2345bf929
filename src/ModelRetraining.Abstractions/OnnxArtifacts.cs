namespace ModelRetraining;

/// <summary>
/// Finds the ONNX model of a candidate or of a registered version, written once for every reader
/// (ONNX evaluation, infra validation, serving): the artifact itself when its flavor is
/// <see cref="ArtifactFlavors.Onnx"/>, otherwise its <see cref="AttachmentNames.Onnx"/> attachment.
/// </summary>
public static class OnnxArtifacts
{
    /// <summary>The ONNX metadata key under which a multiclass export lists its class labels (a JSON array, in the order of the score vector).</summary>
    public const string ClassLabelsMetadataKey = "modelretraining.class_labels";

    /// <summary>Tells whether a registered version has an ONNX model.</summary>
    /// <param name="version">The version.</param>
    /// <returns><see langword="true"/> when its artifact is ONNX or it has an ONNX attachment.</returns>
    public static bool Has(ModelVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Flavor == ArtifactFlavors.Onnx || version.Attachments.Any(a => a.Name == AttachmentNames.Onnx);
    }

    /// <summary>Finds the ONNX model of a trained candidate.</summary>
    /// <param name="candidate">The candidate.</param>
    /// <returns>The ONNX model, or <see langword="null"/> when the candidate has none.</returns>
    public static ModelArtifact? Find(TrainedModel candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return candidate.Attachments.GetValueOrDefault(AttachmentNames.Onnx)
            ?? (candidate.Artifact.Flavor == ArtifactFlavors.Onnx ? candidate.Artifact : null);
    }

    /// <summary>Reads the ONNX model of a registered version, verified against its hash.</summary>
    /// <param name="registry">The registry that keeps the version.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The ONNX model.</returns>
    /// <exception cref="InvalidDataException">The version has no ONNX model; the message names its flavor and attachments.</exception>
    public static async ValueTask<ModelArtifact> ReadAsync(IModelRegistry registry, ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(version);
        if (version.Flavor == ArtifactFlavors.Onnx)
        {
            return await registry.ReadArtifactAsync(version, cancellationToken).ConfigureAwait(false);
        }

        if (version.Attachments.Any(a => a.Name == AttachmentNames.Onnx))
        {
            return await registry.ReadAttachmentAsync(version, AttachmentNames.Onnx, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidDataException(
            $"{version} has no ONNX model: its artifact is of flavor '{version.Flavor}' and its attachments are {RegistryRules.AttachmentList(version)}; export it with ExportOnnx() or import an ONNX model.");
    }
}
