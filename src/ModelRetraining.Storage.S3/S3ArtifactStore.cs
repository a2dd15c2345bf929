using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace ModelRetraining.Storage.S3;

/// <summary>
/// Model artifacts in an S3 bucket (AWS, or an S3-compatible server), addressed by their SHA-256:
/// <c>{prefix}sha256/ab/abcdef…</c>. An object is written by one PUT, so it appears whole or not at all, with
/// its SHA-256 sent for the server to check where it can; every read is hashed again, so a changed or
/// truncated object is refused, never loaded. Storing bytes that are already there writes nothing. Pass it
/// as the registry's artifact store (<c>EmbeddedRegistryOptions.ArtifactStore</c>, <c>PostgreSqlRegistryOptions.ArtifactStore</c>).
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IArtifactInventory
{
    // Storing bytes that are already there re-writes them when they are older than this, so that garbage
    // collection (which spares what is younger than its minimum age) never deletes what a new version reuses.
    private static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(10);

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    private S3ArtifactStore(IAmazonS3 client, S3ArtifactStoreOptions options)
    {
        _client = client;
        _bucket = options.BucketName;
        _prefix = options.KeyPrefix;
        _time = options.TimeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a store on a bucket. The client is the caller's (credentials, region, endpoint), and so is its disposal.</summary>
    /// <param name="client">The S3 client.</param>
    /// <param name="options">The bucket and the key prefix.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException">The bucket name or the prefix is invalid; the message lists every problem.</exception>
    public static S3ArtifactStore Create(IAmazonS3 client, S3ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"{nameof(S3ArtifactStoreOptions)}: {string.Join(" ", errors)}", nameof(options));
        }

        return new S3ArtifactStore(client, options);
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactReference> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var reference = ArtifactReference.Of(content.Span);
        var key = KeyOf(reference.Sha256);
        if (await HeadAsync(key, cancellationToken).ConfigureAwait(false) is { } existing && existing.Length == content.Length && existing.LastModified > _time.GetUtcNow() - RefreshAfter)
        {
            return reference; // write-once: the same address holds the same bytes (a damaged copy is refused on read, and replaced below when its length differs)
        }

        using var body = new MemoryStream(content.ToArray(), writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = "application/octet-stream",
            ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
            ChecksumSHA256 = Convert.ToBase64String(Convert.FromHexString(reference.Sha256)),
        };
        await CallAsync(key, "write", () => _client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
        return reference;
    }

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>> GetAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var key = KeyOf(reference.Sha256);
        byte[] bytes;
        try
        {
            using var response = await _client.GetObjectAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream(response.ContentLength is > 0 and < int.MaxValue ? (int)response.ContentLength : 0);
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            throw new ArtifactIntegrityException($"Artifact sha256:{reference.Sha256} is missing: no object '{key}' in bucket '{_bucket}'.", ex);
        }
        catch (AmazonS3Exception ex)
        {
            throw Failure(key, "read", ex);
        }

        var actual = ArtifactReference.Of(bytes).Sha256;
        if (!string.Equals(actual, reference.Sha256, StringComparison.Ordinal))
        {
            throw new ArtifactIntegrityException(
                $"Object '{key}' in bucket '{_bucket}' does not match its address: expected SHA-256 {reference.Sha256}, found {actual} ({bytes.Length} bytes, expected {reference.Length}). It was changed or damaged in the bucket; it is not loaded.");
        }

        return bytes;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ExistsAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return await HeadAsync(KeyOf(reference.Sha256), cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredArtifact> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = $"{_prefix}sha256/" };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex)
            {
                throw Failure(request.Prefix, "list", ex);
            }

            foreach (var item in page.S3Objects ?? [])
            {
                var name = item.Key[(item.Key.LastIndexOf('/') + 1)..];
                if (ArtifactReference.IsAddress(name) && item.Key == KeyOf(name))
                {
                    yield return new StoredArtifact(new ArtifactReference(name, item.Size ?? 0), new DateTimeOffset(item.LastModified ?? DateTime.MinValue, TimeSpan.Zero).ToUniversalTime());
                }
            }

            if (page.IsTruncated != true)
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(StoredArtifact artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var key = KeyOf(artifact.Reference.Sha256);
        if (await HeadAsync(key, cancellationToken).ConfigureAwait(false) is not { } current || current.LastModified > artifact.LastWritten)
        {
            return false; // gone already, or stored again since it was listed
        }

        await CallAsync(key, "delete", () => _client.DeleteObjectAsync(_bucket, key, cancellationToken)).ConfigureAwait(false);
        return true;
    }

    private string KeyOf(string sha256) => $"{_prefix}sha256/{sha256[..2]}/{sha256}";

    private async Task<(long Length, DateTimeOffset LastModified)?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken).ConfigureAwait(false);
            return (metadata.ContentLength, new DateTimeOffset((metadata.LastModified ?? DateTime.MinValue).ToUniversalTime(), TimeSpan.Zero));
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception ex)
        {
            throw Failure(key, "read", ex);
        }
    }

    private async Task CallAsync(string key, string what, Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex)
        {
            throw Failure(key, what, ex);
        }
    }

    // The message names the bucket, the key and S3's own error code, never the credentials.
    private ModelRegistryException Failure(string key, string what, AmazonS3Exception ex)
        => new($"Could not {what} artifact object '{key}' in S3 bucket '{_bucket}': {(int)ex.StatusCode} {ex.ErrorCode} ({ex.Message}).{(ex.ErrorCode == "NoSuchBucket" || (ex.StatusCode == HttpStatusCode.NotFound && what == "read" && ex.ErrorCode is null) ? " The bucket does not exist: create it (the store never creates buckets)." : string.Empty)}", ex);
}
