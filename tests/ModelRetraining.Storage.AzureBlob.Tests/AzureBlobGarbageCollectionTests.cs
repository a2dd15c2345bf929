using System.Security.Cryptography;

namespace ModelRetraining.Storage.AzureBlob.Tests;

/// <summary>Garbage collection on a container (Azurite): the store lists its blobs under the prefix and deletes only the unreferenced ones, on the service's condition that they were not written since.</summary>
public sealed class AzureBlobGarbageCollectionTests
{
    [Fact]
    public async Task Collect_DeletesTheUnreferencedBlob_KeepsTheReferencedOne_AndBlobsOutsideThePrefix()
    {
        var container = await Azurite.NewContainerAsync(Azurite.Service());
        var store = AzureBlobArtifactStore.Create(container);
        var kept = await store.PutAsync(RandomNumberGenerator.GetBytes(100));
        var orphan = await store.PutAsync(RandomNumberGenerator.GetBytes(200));
        await container.GetBlobClient("someone-else/file.txt").UploadAsync(BinaryData.FromString("not ours"));
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));

        var report = await ArtifactGarbageCollector.CollectAsync(store, [new ModelRetraining.Testing.FakeArtifactReferences(kept.Sha256)], new ArtifactCollectionOptions { DryRun = false, TimeProvider = later });

        Assert.Equal((2, 1, 1), (report.Stored, report.Referenced, report.Deleted));
        Assert.False(await store.ExistsAsync(orphan));
        Assert.True(await store.ExistsAsync(kept));
        Assert.True(await container.GetBlobClient("someone-else/file.txt").ExistsAsync());
    }

    [Fact]
    public async Task ABlobWrittenAgainAfterTheListing_IsNotDeleted()
    {
        var container = await Azurite.NewContainerAsync(Azurite.Service());
        var store = AzureBlobArtifactStore.Create(container);
        var bytes = RandomNumberGenerator.GetBytes(100);
        var reference = await store.PutAsync(bytes);
        var listed = await ((IArtifactInventory)store).ListAsync().SingleAsync();
        await Task.Delay(1100); // the service's times have one-second resolution
        await container.GetBlobClient($"model-retraining/sha256/{reference.Sha256[..2]}/{reference.Sha256}").UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);

        Assert.False(await ((IArtifactInventory)store).DeleteAsync(listed));
        Assert.True(await store.ExistsAsync(reference));
    }
}
