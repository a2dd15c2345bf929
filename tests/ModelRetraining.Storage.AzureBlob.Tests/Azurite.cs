using Azure.Storage.Blobs;

namespace ModelRetraining.Storage.AzureBlob.Tests;

/// <summary>The Azurite blob service eng/test.sh starts (MR_AZURITE): a fresh container per test.</summary>
internal static class Azurite
{
    public static BlobServiceClient Service()
    {
        var connection = Environment.GetEnvironmentVariable("MR_AZURITE");
        Assert.False(string.IsNullOrEmpty(connection), "MR_AZURITE is not set: run the tests with eng/test.sh, which installs Azurite from npm and starts it on 127.0.0.1 (the Azure Blob store is tested against a real emulator, never a fake).");
        return new BlobServiceClient(connection);
    }

    public static async Task<BlobContainerClient> NewContainerAsync(BlobServiceClient service)
    {
        var container = service.GetBlobContainerClient($"mr-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return container;
    }
}
