namespace ModelRetraining.Tests;

/// <summary>Poisoned and half-written artifacts, and a registry database that was lost beside its artifacts.</summary>
public class ArtifactIntegrityTests
{
    private static string ArtifactPath(string folder, ArtifactReference reference)
        => Path.Combine(folder, "artifacts", "sha256", reference.Sha256[..2], reference.Sha256);

    [Fact]
    public async Task ReRegisteringTheOriginalBytesOverADamagedFile_RepairsIt()
    {
        var folder = TestData.TempFolder();
        var registry = ModelRegistry.Embedded(folder);
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        var v1 = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", bytes), "alice"));
        var path = ArtifactPath(folder, v1.Artifact);
        var damaged = File.ReadAllBytes(path);
        damaged[100] ^= 0xFF; // same length, other bytes: the old check (length only) kept it
        File.WriteAllBytes(path, damaged);
        await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await registry.ReadArtifactAsync(v1));

        var v2 = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", bytes), "alice"));

        Assert.Equal(v1.Artifact, v2.Artifact);
        Assert.Equal(bytes, (await registry.ReadArtifactAsync(v2)).Content.ToArray());
        Assert.Equal(bytes, (await registry.ReadArtifactAsync(v1)).Content.ToArray()); // the same address serves both
    }

    [Fact]
    public async Task PartialFilesOfKilledWrites_AreRemovedOnOpen_AndCountedInTheHealthReport()
    {
        var folder = TestData.TempFolder();
        var first = ModelRegistry.Embedded(folder);
        await first.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 1 }), "alice"));
        var tmp = Path.Combine(folder, "artifacts", "tmp");
        var old = Path.Combine(tmp, $"{new string('a', 64)}.{Guid.NewGuid():N}.partial");
        var young = Path.Combine(tmp, $"{new string('b', 64)}.{Guid.NewGuid():N}.partial");
        await File.WriteAllBytesAsync(old, new byte[5000]);
        await File.WriteAllBytesAsync(young, new byte[300]);
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-1));

        var reopened = ModelRegistry.Embedded(folder);
        var health = await reopened.GetService<IRegistryHealth>()!.CheckHealthAsync();

        Assert.False(File.Exists(old));
        Assert.True(File.Exists(young)); // may belong to a live write
        Assert.True(health.Healthy, string.Join("; ", health.Problems));
        Assert.Equal(1, health.PartialFilesRemoved);
        Assert.Equal(1, health.PartialFilesRemaining);
        Assert.Equal(300, health.PartialBytesRemaining);
        Assert.Single(await ListAsync(reopened));
    }

    [Fact]
    public async Task PartialFileHeldOpenByAWriter_IsLeftAlone()
    {
        var folder = TestData.TempFolder();
        await ModelRegistry.Embedded(folder).RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 1 }), "alice"));
        var held = Path.Combine(folder, "artifacts", "tmp", $"{new string('c', 64)}.{Guid.NewGuid():N}.partial");
        using (var writer = new FileStream(held, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            writer.Write(new byte[10]);
            writer.Flush();
            File.SetLastWriteTimeUtc(held, DateTime.UtcNow.AddHours(-1));

            var health = await ModelRegistry.Embedded(folder).GetService<IRegistryHealth>()!.CheckHealthAsync();

            Assert.True(File.Exists(held));
            Assert.Equal(0, health.PartialFilesRemoved);
        }
    }

    [Fact]
    public async Task ZeroByteDatabaseBesideStoredArtifacts_IsRefusedNamingBoth_AndNothingIsCreated()
    {
        var folder = TestData.TempFolder();
        await ModelRegistry.Embedded(folder).RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 1 }), "alice"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var sidecar in Directory.EnumerateFiles(folder, "registry.db-*"))
        {
            File.Delete(sidecar);
        }

        File.WriteAllBytes(Path.Combine(folder, "registry.db"), []);

        var registry = ModelRegistry.Embedded(folder);
        var error = await Assert.ThrowsAsync<ModelRegistryException>(async () => await ListAsync(registry));

        Assert.Contains("registry.db", error.Message, StringComparison.Ordinal);
        Assert.Contains("empty (0 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(folder, "artifacts", "sha256"), error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(Path.Combine(folder, "registry.db")).Length);
        await Assert.ThrowsAsync<ModelRegistryException>(async () => await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 2 }), "alice")));
        Assert.Equal(0, new FileInfo(Path.Combine(folder, "registry.db")).Length);
    }

    [Fact]
    public async Task ZeroByteDatabaseInAnEmptyFolder_IsANewRegistry()
    {
        var folder = TestData.TempFolder();
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "registry.db"), []);
        var registry = ModelRegistry.Embedded(folder);
        Assert.Equal(1, (await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 2 }), "alice"))).Version);
    }

    private static async Task<List<string>> ListAsync(IModelRegistry registry)
    {
        var models = new List<string>();
        await foreach (var model in registry.ListModelsAsync())
        {
            models.Add(model);
        }

        return models;
    }
}
