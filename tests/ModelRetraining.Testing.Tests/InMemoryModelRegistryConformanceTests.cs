namespace ModelRetraining.Testing.Tests;

/// <summary>The in-memory registry against the shared registry conformance suite.</summary>
public class InMemoryModelRegistryConformanceTests : ModelRegistryConformanceTests
{
    protected override IModelRegistry CreateRegistry() => new InMemoryModelRegistry();

    protected override ValueTask CorruptArtifactAsync(IModelRegistry registry, ModelVersion version)
    {
        ((InMemoryModelRegistry)registry).TamperWithArtifact(version.Artifact, [9, 9, 9]);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task CreateRegistry_EachTest_GetsAnEmptyRegistry()
    {
        var a = CreateRegistry();
        await RegisterAsync(a);
        Assert.Empty(await ToListAsync(CreateRegistry().ListVersionsAsync("churn")));
    }
}
