using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.Tests.Registry;

/// <summary>The embedded registry (SQLite + local artifacts): a fresh folder per registry, an artifact damaged on disk.</summary>
public sealed class SqliteRegistryFixture : RegistryFixture
{
    private readonly Dictionary<IModelRegistry, string> _folders = [];

    public string FolderOf(IModelRegistry registry) => _folders[registry];

    public override IModelRegistry CreateRegistry()
    {
        var folder = TestData.TempFolder();
        var registry = ModelRegistry.Embedded(folder);
        _folders[registry] = folder;
        return registry;
    }

    public override ValueTask CorruptArtifactAsync(IModelRegistry registry, ModelVersion version)
    {
        var path = Path.Combine(_folders[registry], "artifacts", "sha256", version.Artifact.Sha256[..2], version.Artifact.Sha256);
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        return ValueTask.CompletedTask;
    }
}

public sealed class SqliteVersionsConformanceTests() : VersionsConformanceTests(new SqliteRegistryFixture())
{
    [Fact]
    public async Task CreateRegistry_EachTest_GetsItsOwnEmptyFolder()
    {
        var fixture = (SqliteRegistryFixture)Fixture;
        var a = fixture.CreateRegistry();
        var b = fixture.CreateRegistry();
        await ConformanceData.RegisterAsync(a);
        Assert.NotEqual(fixture.FolderOf(a), fixture.FolderOf(b));
        Assert.Empty(await ConformanceData.ToListAsync(b.ListVersionsAsync("churn")));
    }
}

public sealed class SqliteAliasesConformanceTests() : AliasesConformanceTests(new SqliteRegistryFixture());

public sealed class SqliteRunJournalConformanceTests() : RunJournalConformanceTests(new SqliteRegistryFixture());

public sealed class SqliteApprovalStoreConformanceTests() : ApprovalStoreConformanceTests(new SqliteRegistryFixture());

/// <summary>The local content-addressed artifact store the embedded registry writes to.</summary>
public sealed class LocalArtifactStoreConformanceTests : ArtifactStoreConformanceTests
{
    private readonly Dictionary<IArtifactStore, string> _roots = [];

    protected override IArtifactStore CreateStore()
    {
        var root = TestData.TempFolder();
        var store = new LocalArtifactStore(root);
        _roots[store] = root;
        return store;
    }

    protected override ValueTask CorruptAsync(IArtifactStore store, ArtifactReference reference)
    {
        var path = Path.Combine(_roots[store], "sha256", reference.Sha256[..2], reference.Sha256);
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        return ValueTask.CompletedTask;
    }
}

public sealed class SqliteRunRequestConformanceTests() : RunRequestConformanceTests(new SqliteRegistryFixture());
