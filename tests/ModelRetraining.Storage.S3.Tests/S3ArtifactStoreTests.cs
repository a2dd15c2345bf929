using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace ModelRetraining.Storage.S3.Tests;

/// <summary>The S3 store on moto_server: keys under the prefix, bad settings and a missing bucket refused with their names, a truncated object refused and repaired, and the embedded registry keeping its artifacts there.</summary>
public sealed class S3ArtifactStoreTests : IDisposable
{
    private readonly AmazonS3Client _client = S3Server.Client();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-s3", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _client.Dispose();
        if (Directory.Exists(_folder))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Put_StoresOneObjectUnderThePrefix_AddressedByItsHash()
    {
        var bucket = await S3Server.NewBucketAsync(_client);
        var store = S3ArtifactStore.Create(_client, new S3ArtifactStoreOptions { BucketName = bucket, KeyPrefix = "team-a/registry/" });
        var bytes = RandomNumberGenerator.GetBytes(4096);

        var reference = await store.PutAsync(bytes);
        await store.PutAsync(bytes);

        var objects = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        var only = Assert.Single(objects.S3Objects);
        Assert.Equal($"team-a/registry/sha256/{reference.Sha256[..2]}/{reference.Sha256}", only.Key);
        Assert.Equal(4096, only.Size);
    }

    [Fact]
    public async Task Get_ATruncatedObject_IsRefused_AndPuttingTheOriginalBytesRepairsIt()
    {
        var bucket = await S3Server.NewBucketAsync(_client);
        var store = S3ArtifactStore.Create(_client, new S3ArtifactStoreOptions { BucketName = bucket });
        var bytes = RandomNumberGenerator.GetBytes(1000);
        var reference = await store.PutAsync(bytes);
        var key = $"model-retraining/sha256/{reference.Sha256[..2]}/{reference.Sha256}";
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(bytes[..10]) });

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.GetAsync(reference));
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"bucket '{bucket}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("10 bytes, expected 1000", error.Message, StringComparison.Ordinal);

        await store.PutAsync(bytes);
        Assert.Equal(bytes, (await store.GetAsync(reference)).ToArray());
    }

    [Fact]
    public async Task ABucketThatDoesNotExist_IsAClearErrorNamingIt_AndNothingIsCreated()
    {
        var store = S3ArtifactStore.Create(_client, new S3ArtifactStoreOptions { BucketName = "no-such-bucket-here" });

        var error = await Assert.ThrowsAsync<ModelRegistryException>(async () => await store.PutAsync(Encoding.UTF8.GetBytes("model")));

        Assert.Contains("'no-such-bucket-here'", error.Message, StringComparison.Ordinal);
        Assert.Contains("NoSuchBucket", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain((await _client.ListBucketsAsync()).Buckets ?? [], b => b.BucketName == "no-such-bucket-here");
    }

    [Theory]
    [InlineData("Upper_Case", "ok/")]
    [InlineData("ab", "ok/")]
    [InlineData("good-bucket", "/absolute/")]
    [InlineData("good-bucket", "a/../b/")]
    [InlineData("good-bucket", "line\nbreak/")]
    public void Create_BadSettings_AreRefusedNamingTheSetting(string bucket, string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => S3ArtifactStore.Create(_client, new S3ArtifactStoreOptions { BucketName = bucket, KeyPrefix = prefix }));
        Assert.Contains(bucket == "good-bucket" ? "KeyPrefix" : "BucketName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEmbeddedRegistry_KeepsItsArtifactsInTheBucket_AndReadsThemBackVerified()
    {
        var bucket = await S3Server.NewBucketAsync(_client);
        var registry = ModelRegistry.Embedded(_folder, new EmbeddedRegistryOptions { ArtifactStore = S3ArtifactStore.Create(_client, new S3ArtifactStoreOptions { BucketName = bucket }) });
        var model = Encoding.UTF8.GetBytes("a trained model's bytes");

        var version = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", model), "alice"));

        var stored = Assert.Single((await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects);
        Assert.EndsWith(version.Artifact.Sha256, stored.Key, StringComparison.Ordinal);
        Assert.Equal(model, (await registry.ReadArtifactAsync(version)).Content.ToArray());
        Assert.DoesNotContain(Directory.GetFiles(_folder, "*", SearchOption.AllDirectories), f => f.Contains(version.Artifact.Sha256, StringComparison.Ordinal));
    }
}
