using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;

namespace ModelRetraining.Storage.AzureBlob.Tests;

/// <summary>The Azure Blob store on Azurite: names under the prefix, a missing container and bad settings refused with their names, a truncated blob refused and repaired, and the embedded registry keeping its artifacts there.</summary>
public sealed class AzureBlobArtifactStoreTests : IDisposable
{
    private readonly BlobServiceClient _service = Azurite.Service();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-azure", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Put_StoresOneBlobUnderThePrefix_AddressedByItsHash()
    {
        var container = await Azurite.NewContainerAsync(_service);
        var store = AzureBlobArtifactStore.Create(container, new AzureBlobArtifactStoreOptions { BlobPrefix = "team-a/registry/" });
        var bytes = RandomNumberGenerator.GetBytes(4096);

        var reference = await store.PutAsync(bytes);
        await store.PutAsync(bytes);

        var blobs = new List<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            blobs.Add(item.Name);
        }

        Assert.Equal([$"team-a/registry/sha256/{reference.Sha256[..2]}/{reference.Sha256}"], blobs);
    }

    [Fact]
    public async Task Get_ATruncatedBlob_IsRefused_AndPuttingTheOriginalBytesRepairsIt()
    {
        var container = await Azurite.NewContainerAsync(_service);
        var store = AzureBlobArtifactStore.Create(container);
        var bytes = RandomNumberGenerator.GetBytes(1000);
        var reference = await store.PutAsync(bytes);
        var name = $"model-retraining/sha256/{reference.Sha256[..2]}/{reference.Sha256}";
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes[..10]), overwrite: true);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.GetAsync(reference));
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"container '{container.Name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("10 bytes, expected 1000", error.Message, StringComparison.Ordinal);

        await store.PutAsync(bytes);
        Assert.Equal(bytes, (await store.GetAsync(reference)).ToArray());
    }

    [Fact]
    public async Task AContainerThatDoesNotExist_IsAClearErrorNamingIt_AndNothingIsCreated()
    {
        var missing = _service.GetBlobContainerClient($"absent-{Guid.NewGuid():N}");
        var store = AzureBlobArtifactStore.Create(missing);

        var error = await Assert.ThrowsAsync<ModelRegistryException>(async () => await store.PutAsync(Encoding.UTF8.GetBytes("model")));

        Assert.Contains($"'{missing.Name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ContainerNotFound", error.Message, StringComparison.Ordinal);
        Assert.False(await missing.ExistsAsync());
        Assert.DoesNotContain("AccountKey", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/absolute/")]
    [InlineData("a/../b/")]
    [InlineData("back\\slash/")]
    [InlineData("line\nbreak/")]
    public void Create_BadPrefix_IsRefusedNamingTheSetting(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => AzureBlobArtifactStore.Create(_service.GetBlobContainerClient("any"), new AzureBlobArtifactStoreOptions { BlobPrefix = prefix }));
        Assert.Contains("BlobPrefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEmbeddedRegistry_KeepsItsArtifactsInTheContainer_AndReadsThemBackVerified()
    {
        var container = await Azurite.NewContainerAsync(_service);
        var registry = ModelRegistry.Embedded(_folder, new EmbeddedRegistryOptions { ArtifactStore = AzureBlobArtifactStore.Create(container) });
        var model = Encoding.UTF8.GetBytes("a trained model's bytes");

        var version = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", model), "alice"));

        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        Assert.EndsWith(version.Artifact.Sha256, Assert.Single(names), StringComparison.Ordinal);
        Assert.Equal(model, (await registry.ReadArtifactAsync(version)).Content.ToArray());
        Assert.DoesNotContain(Directory.GetFiles(_folder, "*", SearchOption.AllDirectories), f => f.Contains(version.Artifact.Sha256, StringComparison.Ordinal));
    }
}
