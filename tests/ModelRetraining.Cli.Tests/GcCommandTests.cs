using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static ModelRetraining.Cli.Tests.QuickStartRegistry;

namespace ModelRetraining.Cli.Tests;

/// <summary><c>mrt gc</c> as a process on a copy of the quick start's registry: a dry run by default, deletion only with --delete, versions untouched.</summary>
public sealed class GcCommandTests(QuickStartRegistry quickStart) : IClassFixture<QuickStartRegistry>
{
    [Fact]
    public async Task Gc_ListsAnOldOrphanByDefault_DeletesItOnlyWithDelete_AndEveryVersionStaysReadable()
    {
        var folder = quickStart.Copy();
        var orphan = await ModelRegistry.Embedded(folder).GetService<IArtifactStore>()!.PutAsync(RandomNumberGenerator.GetBytes(2048));
        var path = Path.Combine(folder, "artifacts", "sha256", orphan.Sha256[..2], orphan.Sha256);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-2));
        SqliteConnection.ClearAllPools();

        var (exit, json, _) = await Mrt("gc", "--registry", folder, "--json");
        Assert.Equal(0, exit);
        using (var report = JsonDocument.Parse(json))
        {
            Assert.True(report.RootElement.GetProperty("dryRun").GetBoolean());
            Assert.Equal(orphan.Sha256, Assert.Single(report.RootElement.GetProperty("unreferenced").EnumerateArray()).GetProperty("sha256").GetString());
            Assert.Equal(0, report.RootElement.GetProperty("deleted").GetInt32());
        }

        Assert.True(File.Exists(path));

        var (deleteExit, table, _) = await Mrt("gc", "--registry", folder, "--delete");
        Assert.Equal(0, deleteExit);
        Assert.Contains("Deleted 1 (2,048 bytes)", table, StringComparison.Ordinal);
        Assert.False(File.Exists(path));

        var registry = ModelRegistry.Embedded(folder);
        foreach (var version in await registry.ListVersionsAsync("flight-delays").ToListAsync())
        {
            Assert.True((await registry.ReadArtifactAsync(version)).Content.Length > 0);
        }
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-3h")]
    [InlineData("12")]
    public async Task Gc_ABadMinAge_IsAUsageError_AndNothingIsDeleted(string age)
    {
        var (exit, _, error) = await Mrt("gc", "--registry", quickStart.Folder, "--delete", "--min-age", age);
        Assert.Equal(2, exit);
        Assert.Contains("--min-age", error, StringComparison.Ordinal);
    }
}
