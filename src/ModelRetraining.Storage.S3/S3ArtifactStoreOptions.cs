using System.Text.RegularExpressions;

namespace ModelRetraining.Storage.S3;

/// <summary>Where an <see cref="S3ArtifactStore"/> keeps artifacts: a bucket and a key prefix.</summary>
public sealed partial class S3ArtifactStoreOptions
{
    /// <summary>Gets or sets the bucket; it must exist (the store never creates buckets: their policy is the host's).</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>Gets or sets the prefix of every key, so that several registries share a bucket. Default <c>model-retraining/</c>.</summary>
    public string KeyPrefix { get; set; } = "model-retraining/";

    /// <summary>Gets or sets the clock that decides whether stored bytes are old enough to be written again when they are stored again; the system clock when <see langword="null"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Lists every problem with these options; empty when they are usable.</summary>
    /// <returns>The problems, each naming its setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!BucketPattern().IsMatch(BucketName ?? string.Empty) || BucketName!.Contains("..", StringComparison.Ordinal))
        {
            errors.Add($"{nameof(BucketName)} '{BucketName}' is not an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit.");
        }

        if (KeyPrefix is null || KeyPrefix.Length > 512 || KeyPrefix.StartsWith('/') || KeyPrefix.Contains("..", StringComparison.Ordinal) || KeyPrefix.Any(char.IsControl))
        {
            errors.Add($"{nameof(KeyPrefix)} '{KeyPrefix}' is not a key prefix: at most 512 characters, no leading '/', no '..', no control characters.");
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketPattern();
}
