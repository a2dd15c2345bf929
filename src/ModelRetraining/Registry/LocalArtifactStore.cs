using System.Globalization;
using System.Security.Cryptography;

namespace ModelRetraining;

/// <summary>
/// Content-addressed artifacts in a local folder: <c>sha256/ab/abcdef…</c>. Writes go to a temporary
/// file that is flushed to disk and then renamed, so a crash never leaves a partial artifact under its
/// final name. Reads re-hash the bytes, so a changed file is caught before anyone loads it. A write over
/// an existing file that does not verify replaces it (atomically), so re-registering the original bytes
/// repairs a damaged artifact instead of keeping it. Partial files of writers that died are removed when
/// the store opens.
/// </summary>
internal sealed class LocalArtifactStore : IArtifactStore, IArtifactInventory
{
    // A partial file younger than this may belong to a live write in another process; it is left alone.
    internal static readonly TimeSpan PartialFileGrace = TimeSpan.FromMinutes(10);

    private readonly string _root;
    private readonly TimeProvider _time;
    private readonly Lazy<PartialFileSweep> _sweep;

    public LocalArtifactStore(string root, TimeProvider? timeProvider = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        _root = Path.GetFullPath(root);
        var time = timeProvider ?? TimeProvider.System;
        _time = time;
        _sweep = new Lazy<PartialFileSweep>(
            () =>
            {
                var sweep = SweepPartialFiles(time.GetUtcNow() - PartialFileGrace);
                if (sweep.Removed > 0 && logger is not null)
                {
                    Log.PartialArtifactsRemoved(logger, _root, sweep.Removed, sweep.RemovedBytes);
                }

                return sweep;
            },
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets what the sweep of partial files found when the store was first used: removed, and left because they may belong to a live write.</summary>
    public PartialFileSweep Sweep => _sweep.Value;

    // Bytes a collection moved aside while it decides whether they may go (see DeleteAsync).
    private const string DeletingSuffix = ".deleting";

    public async ValueTask<ArtifactReference> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var reference = ArtifactReference.Of(content.Span);
        var sha = reference.Sha256;
        var final = PathOf(sha);
        _ = _sweep.Value;
        if (File.Exists(final) && await VerifiesAsync(final, sha, content.Length, cancellationToken).ConfigureAwait(false) && Touch(final))
        {
            // Storing the bytes again is a write: garbage collection spares content this young, so a version that
            // reuses an unreferenced artifact while a collection runs keeps it.
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

            // A rename over the old file is atomic: readers see the damaged file or the good one, never a mix.
            // Another writer storing the same bytes at once writes equal bytes, so either rename may win.
            File.Move(temporary, final, overwrite: true);
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

        var actual = ArtifactReference.Of(bytes).Sha256;
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

    public async IAsyncEnumerable<StoredArtifact> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(_root, "sha256");
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ArtifactReference.IsAddress(file.Name) && file.Directory?.Name == file.Name[..2])
            {
                yield return new StoredArtifact(new ArtifactReference(file.Name, file.Length), new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask<bool> DeleteAsync(StoredArtifact artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var path = PathOf(artifact.Reference.Sha256);

        // Checking the age and then deleting would race a writer storing the bytes again in between (it touches
        // the file, its version commits, the delete lands: a version without bytes). So the file is first moved
        // aside, atomically: a writer then either touched it before (its new age is seen here and the file goes
        // back) or finds it gone and writes it anew.
        var folder = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(folder);
        // The name carries when the bytes were moved aside (a rename keeps their old write time): the sweep of a
        // later start puts back only what a collection left long ago, never what one is deciding about now.
        var aside = Path.Combine(folder, $"{artifact.Reference.Sha256}.{_time.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}{DeletingSuffix}");
        try
        {
            File.Move(path, aside);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult(false);
        }

        try
        {
            if (File.GetLastWriteTimeUtc(aside) > artifact.LastWritten.UtcDateTime)
            {
                File.Move(aside, path, overwrite: true); // stored again since it was listed: someone needs it (a rewrite meanwhile has equal bytes)
                return ValueTask.FromResult(false);
            }

            File.Delete(aside);
            return ValueTask.FromResult(true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult(false); // put back meanwhile (not by this collection): left as it is
        }
    }

    // Refreshes the age of stored bytes; false when a collection moved them aside meanwhile (then they are written anew).
    private bool Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, _time.GetUtcNow().UtcDateTime);
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Deletes stored content (the dataset store's retention); <see langword="false"/> when it was not there.</summary>
    internal bool Delete(ArtifactReference reference)
    {
        var path = PathOf(reference.Sha256);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    private static async ValueTask<bool> VerifiesAsync(string path, string sha256, long length, CancellationToken cancellationToken)
    {
        try
        {
            if (new FileInfo(path).Length != length)
            {
                return false;
            }

            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
                return string.Equals(actual, sha256, StringComparison.Ordinal);
            }
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    // Partial files are named {sha}.{guid}.partial and renamed away when their write ends; one that is old
    // and that no writer holds open (a live writer opens it FileShare.None) was left by a process that died.
    private PartialFileSweep SweepPartialFiles(DateTimeOffset olderThan)
    {
        var folder = Path.Combine(_root, "tmp");
        if (!Directory.Exists(folder))
        {
            return new PartialFileSweep(0, 0, 0, 0);
        }

        int removed = 0, kept = 0;
        long removedBytes = 0, keptBytes = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*.partial"))
        {
            try
            {
                if (file.LastWriteTimeUtc < olderThan.UtcDateTime)
                {
                    using (new FileStream(file.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                    {
                    }

                    var length = file.Length;
                    file.Delete();
                    removed++;
                    removedBytes += length;
                    continue;
                }
            }
            catch (IOException)
            {
                // Held open by a live writer (or just renamed away): not ours to remove.
            }
            catch (UnauthorizedAccessException)
            {
            }

            if (file.Exists)
            {
                kept++;
                keptBytes += file.Length;
            }
        }

        // A collection that died between moving bytes aside and deciding: put them back (the next one decides again).
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*" + DeletingSuffix))
        {
            var parts = file.Name.Split('.');
            var sha = parts[0];
            var movedAside = parts.Length > 1 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : long.MaxValue;
            if (movedAside < olderThan.UtcTicks && ArtifactReference.IsAddress(sha))
            {
                try
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(PathOf(sha))!);
                    file.MoveTo(PathOf(sha), overwrite: true);
                }
                catch (IOException)
                {
                    // taken back meanwhile
                }
            }
        }

        return new PartialFileSweep(removed, removedBytes, kept, keptBytes);
    }

    internal string PathOf(string sha256)
    {
        if (!ArtifactReference.IsAddress(sha256))
        {
            throw new ArgumentException($"'{sha256}' is not a lowercase hex SHA-256.", nameof(sha256));
        }

        return Path.Combine(_root, "sha256", sha256[..2], sha256);
    }
}
