using Amazon.S3;
using Amazon.S3.Model;
using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.Storage.S3.Tests;

/// <summary>The artifact store's conformance suite on a real S3-compatible server (moto_server), a bucket per test.</summary>
public sealed class S3ArtifactStoreConformanceTests : ArtifactStoreConformanceTests, IDisposable
{
    private readonly AmazonS3Client _client = S3Server.Client();
    private readonly Dictionary<IArtifactStore, string> _buckets = [];

    public void Dispose() => _client.Dispose();

    protected override IArtifactStore CreateStore()
    {
        var bucket = S3Server.NewBucketAsync(_client).GetAwaiter().GetResult();
        var store = S3ArtifactStore.Create(_client, new S3ArtifactStoreOptions { BucketName = bucket });
        _buckets[store] = bucket;
        return store;
    }

    protected override async ValueTask CorruptAsync(IArtifactStore store, ArtifactReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var bucket = _buckets[store];
        var key = $"model-retraining/sha256/{reference.Sha256[..2]}/{reference.Sha256}";
        using var original = await _client.GetObjectAsync(bucket, key);
        using var buffer = new MemoryStream();
        await original.ResponseStream.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        bytes[0] ^= 0xff; // same length, different bytes: only the hash can tell
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(bytes) });
    }
}
