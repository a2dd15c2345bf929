using System.Security.Cryptography;

namespace ModelRetraining;

/// <summary>
/// Content-addressed artifacts in a local folder: <c>sha256/ab/abcdef…</c>. Writes go to a temporary
/// file that is flushed to disk and then renamed, so a crash never leaves a partial artifact under its
/// final name. Reads re-hash the bytes, so a changed file is caught before anyone loads it.
/// </summary>
internal sealed class LocalArtifactStore : IArtifactStore
{
    private readonly string _root;

    public LocalArtifactStore(string root)
    {
        _root = Path.GetFullPath(root);
    }

    public async ValueTask<ArtifactReference> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var reference = new ArtifactReference(sha, content.Length);
        var final = PathOf(sha);
        if (File.Exists(final) && new FileInfo(final).Length == content.Length)
        {
            return reference;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        var temporaryFolder = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(temporaryFolder);
        var temporary = Path.Combine(temporaryFolder, $"{sha}.{Guid.NewGuid():N}.partial");
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, final, overwrite: false);
            }
            catch (IOException) when (File.Exists(final))
            {
                // Another writer stored the same bytes first; content addressing makes both copies equal.
            }
        }
        finally
        {
            File.Delete(temporary);
        }

        return reference;
    }

    public async ValueTask<ReadOnlyMemory<byte>> GetAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var path = PathOf(reference.Sha256);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactIntegrityException($"Artifact sha256:{reference.Sha256} is missing: no file at '{path}'.", ex);
        }

        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, reference.Sha256, StringComparison.Ordinal))
        {
            throw new ArtifactIntegrityException(
                $"Artifact file '{path}' does not match its address: expected SHA-256 {reference.Sha256}, found {actual} ({bytes.Length} bytes, expected {reference.Length}). The file was changed or damaged on disk; it is not loaded.");
        }

        return bytes;
    }

    public ValueTask<bool> ExistsAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return ValueTask.FromResult(File.Exists(PathOf(reference.Sha256)));
    }

    internal string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"'{sha256}' is not a lowercase hex SHA-256.", nameof(sha256));
        }

        return Path.Combine(_root, "sha256", sha256[..2], sha256);
    }
}
