namespace ModelRetraining.Storage.AzureBlob;

/// <summary>Where an <see cref="AzureBlobArtifactStore"/> keeps artifacts inside its container: a blob-name prefix.</summary>
public sealed class AzureBlobArtifactStoreOptions
{
    /// <summary>Gets or sets the prefix of every blob name, so that several registries share a container. Default <c>model-retraining/</c>.</summary>
    public string BlobPrefix { get; set; } = "model-retraining/";

    /// <summary>Gets or sets the clock that decides whether stored bytes are old enough to be written again when they are stored again; the system clock when <see langword="null"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Lists every problem with these options; empty when they are usable.</summary>
    /// <returns>The problems, each naming its setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BlobPrefix is null || BlobPrefix.Length > 512 || BlobPrefix.StartsWith('/') || BlobPrefix.Contains("..", StringComparison.Ordinal) || BlobPrefix.Contains('\\', StringComparison.Ordinal) || BlobPrefix.Any(char.IsControl))
        {
            errors.Add($"{nameof(BlobPrefix)} '{BlobPrefix}' is not a blob-name prefix: at most 512 characters, no leading '/', no '..' or '\\', no control characters.");
        }

        return errors;
    }
}
