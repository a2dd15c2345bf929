namespace ModelRetraining.Tests;

public class LocalArtifactStoreTests
{
    [Fact]
    public async Task Put_ThenGet_RoundTripsAndAddressesBySha256()
    {
        var store = ModelRegistry.LocalArtifactStore(TestData.TempFolder());
        var reference = await store.PutAsync(new byte[] { 1, 2, 3 });
        Assert.Equal("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", reference.Sha256);
        Assert.Equal(3, reference.Length);
        Assert.True(await store.ExistsAsync(reference));
        Assert.Equal(new byte[] { 1, 2, 3 }, (await store.GetAsync(reference)).ToArray());
    }

    [Fact]
    public async Task Get_MissingFile_ThrowsIntegrityExceptionNamingThePath()
    {
        var folder = TestData.TempFolder();
        var store = ModelRegistry.LocalArtifactStore(folder);
        var reference = new ArtifactReference(new string('a', 64), 1);
        Assert.False(await store.ExistsAsync(reference));
        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.GetAsync(reference));
        Assert.Contains(folder, error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ChangedBytes_ThrowsNamingBothHashes()
    {
        var folder = TestData.TempFolder();
        var store = ModelRegistry.LocalArtifactStore(folder);
        var reference = await store.PutAsync(new byte[] { 1, 2, 3 });
        File.WriteAllBytes(Path.Combine(folder, "sha256", reference.Sha256[..2], reference.Sha256), [1, 2, 4]);
        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.GetAsync(reference));
        Assert.Contains(reference.Sha256, error.Message, StringComparison.Ordinal);
        Assert.Contains("found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_MalformedAddress_IsRefused()
    {
        var store = ModelRegistry.LocalArtifactStore(TestData.TempFolder());
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetAsync(new ArtifactReference("../../etc/passwd", 1)));
    }
}
