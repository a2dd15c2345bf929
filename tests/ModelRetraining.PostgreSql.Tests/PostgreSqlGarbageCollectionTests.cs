using System.Security.Cryptography;
using System.Text;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>Garbage collection of the registry's own artifact table: only unreferenced rows go, and a row a version names is never deleted, whatever the caller asks.</summary>
public sealed class PostgreSqlGarbageCollectionTests : PostgresDatabaseTests
{
    [Fact]
    public async Task Collect_DeletesTheOrphanRow_AndTheTableRefusesToDeleteAReferencedOne()
    {
        var registry = Open("gc");
        var version = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes("the model")), "alice"));
        var store = registry.GetService<IArtifactStore>()!;
        var orphan = await store.PutAsync(RandomNumberGenerator.GetBytes(300));
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));

        var report = await ArtifactGarbageCollector.CollectAsync(store, [registry], new ArtifactCollectionOptions { DryRun = false, TimeProvider = later });

        Assert.Equal((2, 1, 1), (report.Stored, report.Referenced, report.Deleted));
        Assert.False(await store.ExistsAsync(orphan));
        Assert.Equal("the model", Encoding.UTF8.GetString((await registry.ReadArtifactAsync(version)).Content.Span));

        // Even asked directly (a collector that missed a source), the table keeps a row a version names.
        var inventory = (IArtifactInventory)store;
        var listed = await inventory.ListAsync().SingleAsync();
        Assert.False(await inventory.DeleteAsync(listed));
        Assert.True(await store.ExistsAsync(version.Artifact));
    }
}
