using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

/// <summary>The embedded SQLite registry against the shared registry conformance suite.</summary>
public class SqliteModelRegistryConformanceTests : ModelRegistryConformanceTests
{
    private readonly Dictionary<IModelRegistry, string> _folders = [];

    protected override IModelRegistry CreateRegistry()
    {
        var folder = TestData.TempFolder();
        var registry = ModelRegistry.Embedded(folder);
        _folders[registry] = folder;
        return registry;
    }

    protected override ValueTask CorruptArtifactAsync(IModelRegistry registry, ModelVersion version)
    {
        var path = Path.Combine(_folders[registry], "artifacts", "sha256", version.Artifact.Sha256[..2], version.Artifact.Sha256);
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task CreateRegistry_EachTest_GetsItsOwnEmptyFolder()
    {
        var a = CreateRegistry();
        var b = CreateRegistry();
        await RegisterAsync(a);
        Assert.NotEqual(_folders[a], _folders[b]);
        Assert.Empty(await ToListAsync(b.ListVersionsAsync("churn")));
    }
}
