using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.Testing.Tests;

/// <summary>The in-memory registry: a new one per call, an artifact tampered with in memory.</summary>
public sealed class InMemoryRegistryFixture : RegistryFixture
{
    public override IModelRegistry CreateRegistry() => new InMemoryModelRegistry();

    public override ValueTask CorruptArtifactAsync(IModelRegistry registry, ModelVersion version)
    {
        ((InMemoryModelRegistry)registry).TamperWithArtifact(version.Artifact, [9, 9, 9]);
        return ValueTask.CompletedTask;
    }
}

public sealed class InMemoryVersionsConformanceTests() : VersionsConformanceTests(new InMemoryRegistryFixture())
{
    [Fact]
    public async Task CreateRegistry_EachTest_GetsAnEmptyRegistry()
    {
        var a = Fixture.CreateRegistry();
        await ConformanceData.RegisterAsync(a);
        Assert.Empty(await ConformanceData.ToListAsync(Fixture.CreateRegistry().ListVersionsAsync("churn")));
    }
}

public sealed class InMemoryAliasesConformanceTests() : AliasesConformanceTests(new InMemoryRegistryFixture());

public sealed class InMemoryRunJournalConformanceTests() : RunJournalConformanceTests(new InMemoryRegistryFixture());

public sealed class InMemoryApprovalStoreConformanceTests() : ApprovalStoreConformanceTests(new InMemoryRegistryFixture());

public sealed class InMemoryRunRequestConformanceTests() : RunRequestConformanceTests(new InMemoryRegistryFixture());
