using Azure.Storage.Blobs;
using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.Storage.AzureBlob.Tests;

/// <summary>The artifact store's conformance suite on Azurite, a container per test.</summary>
public sealed class AzureBlobArtifactStoreConformanceTests : ArtifactStoreConformanceTests
{
    private readonly BlobServiceClient _service = Azurite.Service();
    private readonly Dictionary<IArtifactStore, BlobContainerClient> _containers = [];

    protected override IArtifactStore CreateStore()
    {
        var container = Azurite.NewContainerAsync(_service).GetAwaiter().GetResult();
        var store = AzureBlobArtifactStore.Create(container);
        _containers[store] = container;
        return store;
    }

    protected override async ValueTask CorruptAsync(IArtifactStore store, ArtifactReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var blob = _containers[store].GetBlobClient($"model-retraining/sha256/{reference.Sha256[..2]}/{reference.Sha256}");
        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[0] ^= 0xff; // same length, different bytes: only the hash can tell
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
    }
}
