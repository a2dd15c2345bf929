using System.Net;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace ModelRetraining.Storage.AzureBlob;

/// <summary>
/// Model artifacts in an Azure Blob Storage container, addressed by their SHA-256:
/// <c>{prefix}sha256/ab/abcdef…</c>. A blob is written in one upload with its MD5 for the service to check, so
/// it appears whole or not at all; every read is hashed again, so a changed or truncated blob is refused,
/// never loaded. Storing bytes that are already there writes nothing. Pass it as the registry's artifact
/// store (<c>EmbeddedRegistryOptions.ArtifactStore</c>, <c>PostgreSqlRegistryOptions.ArtifactStore</c>).
/// </summary>
public sealed class AzureBlobArtifactStore : IArtifactStore, IArtifactInventory
{
    // Storing bytes that are already there re-writes them when they are older than this, so that garbage
    // collection (which spares what is younger than its minimum age) never deletes what a new version reuses.
    private static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(10);

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    private AzureBlobArtifactStore(BlobContainerClient container, AzureBlobArtifactStoreOptions options)
    {
        _container = container;
        _prefix = options.BlobPrefix;
        _time = options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a store on a container. The client is the caller's (account, credentials); the container must exist.</summary>
    /// <param name="container">The container's client.</param>
    /// <param name="options">The blob-name prefix; the defaults when <see langword="null"/>.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException">The prefix is invalid; the message says why.</exception>
    public static AzureBlobArtifactStore Create(BlobContainerClient container, AzureBlobArtifactStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        options ??= new AzureBlobArtifactStoreOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"{nameof(AzureBlobArtifactStoreOptions)}: {string.Join(" ", errors)}", nameof(options));
        }

        return new AzureBlobArtifactStore(container, options);
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactReference> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var reference = ArtifactReference.Of(content.Span);
        var blob = _container.GetBlobClient(NameOf(reference.Sha256));
        if (await HeadAsync(blob, cancellationToken).ConfigureAwait(false) is { } existing && existing.Length == content.Length && existing.LastModified > _time.GetUtcNow() - RefreshAfter)
        {
            return reference; // write-once: the same address holds the same bytes (a truncated copy is replaced below)
        }

        // Content-MD5 is the service's own transfer check (it refuses a body that does not match), not a security
        // control: the artifact's identity is its SHA-256, verified on every read.
#pragma warning disable CA5351
        var transferHash = MD5.HashData(content.Span);
#pragma warning restore CA5351
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream", ContentHash = transferHash },
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["sha256"] = reference.Sha256 },
        };
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw Failure(blob.Name, "write", ex);
        }

        return reference;
    }

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>> GetAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var blob = _container.GetBlobClient(NameOf(reference.Sha256));
        byte[] bytes;
        try
        {
            var download = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            bytes = download.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            throw new ArtifactIntegrityException($"Artifact sha256:{reference.Sha256} is missing: no blob '{blob.Name}' in container '{_container.Name}'.", ex);
        }
        catch (RequestFailedException ex)
        {
            throw Failure(blob.Name, "read", ex);
        }

        var actual = ArtifactReference.Of(bytes).Sha256;
        if (!string.Equals(actual, reference.Sha256, StringComparison.Ordinal))
        {
            throw new ArtifactIntegrityException(
                $"Blob '{blob.Name}' in container '{_container.Name}' does not match its address: expected SHA-256 {reference.Sha256}, found {actual} ({bytes.Length} bytes, expected {reference.Length}). It was changed or damaged in storage; it is not loaded.");
        }

        return bytes;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ExistsAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return await HeadAsync(_container.GetBlobClient(NameOf(reference.Sha256)), cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredArtifact> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var items = _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{_prefix}sha256/", cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var itemsScope = items.ConfigureAwait(false);
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (RequestFailedException ex)
            {
                throw Failure($"{_prefix}sha256/", "list", ex);
            }

            var item = items.Current;
            var name = item.Name[(item.Name.LastIndexOf('/') + 1)..];
            if (ArtifactReference.IsAddress(name) && item.Name == NameOf(name))
            {
                yield return new StoredArtifact(new ArtifactReference(name, item.Properties.ContentLength ?? 0), item.Properties.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(StoredArtifact artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var blob = _container.GetBlobClient(NameOf(artifact.Reference.Sha256));
        try
        {
            // Conditional on the service: the blob goes only if it was not written since it was listed.
            var deleted = await blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfUnmodifiedSince = artifact.LastWritten }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return deleted.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.PreconditionFailed)
        {
            return false; // stored again since it was listed
        }
        catch (RequestFailedException ex)
        {
            throw Failure(blob.Name, "delete", ex);
        }
    }

    private string NameOf(string sha256) => $"{_prefix}sha256/{sha256[..2]}/{sha256}";

    private async Task<(long Length, DateTimeOffset LastModified)?> HeadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return (properties.Value.ContentLength, properties.Value.LastModified);
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound && ex.ErrorCode != BlobErrorCode.ContainerNotFound)
        {
            // A HEAD answer has no body, so a missing container reads as a missing blob here; the write that follows says which.
            return null;
        }
        catch (RequestFailedException ex)
        {
            throw Failure(blob.Name, "read", ex);
        }
    }

    // The message names the container, the blob and the service's error code, never the account key or a SAS token.
    private ModelRegistryException Failure(string name, string what, RequestFailedException ex)
        => new($"Could not {what} artifact blob '{name}' in container '{_container.Name}': {ex.Status} {ex.ErrorCode}.{(ex.ErrorCode == BlobErrorCode.ContainerNotFound ? " The container does not exist: create it (the store never creates containers)." : string.Empty)}", ex);
}
