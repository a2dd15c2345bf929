using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace ModelRetraining.Storage.S3.Tests;

/// <summary>Garbage collection on a bucket (moto_server): the store lists its objects under the prefix and deletes only the unreferenced ones.</summary>
public sealed class S3GarbageCollectionTests : IDisposable
{
    private readonly AmazonS3Client _client = S3Server.Client();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Collect_DeletesTheUnreferencedObject_KeepsTheReferencedOne_AndObjectsOutsideThePrefix()
    {
        var bucket = await S3Server.NewBucketAsync(_client);
        var store = S3ArtifactStore.Create(_client, new S3ArtifactStoreOptions { BucketName = bucket });
        var kept = await store.PutAsync(RandomNumberGenerator.GetBytes(100));
        var orphan = await store.PutAsync(RandomNumberGenerator.GetBytes(200));
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "someone-else/file.txt", ContentBody = "not ours" });
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));

        var report = await ArtifactGarbageCollector.CollectAsync(store, [new ModelRetraining.Testing.FakeArtifactReferences(kept.Sha256)], new ArtifactCollectionOptions { DryRun = false, TimeProvider = later });

        Assert.Equal((2, 1, 1), (report.Stored, report.Referenced, report.Deleted));
        Assert.Equal(orphan, Assert.Single(report.Unreferenced).Reference);
        Assert.False(await store.ExistsAsync(orphan));
        Assert.True(await store.ExistsAsync(kept));
        Assert.Equal(2, (await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Count);
    }
}
