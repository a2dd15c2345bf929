using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.PostgreSql.Tests;

// The same suites the embedded (SQLite) and in-memory registries pass, unchanged, on a real PostgreSQL 15;
// their tests and assertions are in ModelRetraining.Testing.Conformance. Each class disposes the registries
// its fixture opened (a listening registry holds a connection).
public sealed class PostgreSqlVersionsConformanceTests() : VersionsConformanceTests(new PostgreSqlRegistryFixture()), IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await ((PostgreSqlRegistryFixture)Fixture).DisposeAsync();

    /// <summary>The suites rely on a fresh registry per call: here, a schema of its own that starts empty.</summary>
    [Fact]
    public async Task CreateRegistry_EachCall_GetsItsOwnEmptySchema()
    {
        var fixture = (PostgreSqlRegistryFixture)Fixture;
        var a = fixture.CreateRegistry();
        var b = fixture.CreateRegistry();

        await ConformanceData.RegisterAsync(a);

        Assert.NotEqual(fixture.SchemaOf(a), fixture.SchemaOf(b));
        Assert.Single(await ConformanceData.ToListAsync(a.ListVersionsAsync("churn")));
        Assert.Empty(await ConformanceData.ToListAsync(b.ListModelsAsync()));
        Assert.Equal(1L, await PostgresServer.ScalarAsync(fixture.ConnectionString, $"SELECT COUNT(*) FROM {fixture.SchemaOf(a)}.versions"));
    }
}

public sealed class PostgreSqlAliasesConformanceTests() : AliasesConformanceTests(new PostgreSqlRegistryFixture()), IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await ((PostgreSqlRegistryFixture)Fixture).DisposeAsync();
}

public sealed class PostgreSqlRunJournalConformanceTests() : RunJournalConformanceTests(new PostgreSqlRegistryFixture()), IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await ((PostgreSqlRegistryFixture)Fixture).DisposeAsync();
}

public sealed class PostgreSqlApprovalStoreConformanceTests() : ApprovalStoreConformanceTests(new PostgreSqlRegistryFixture()), IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await ((PostgreSqlRegistryFixture)Fixture).DisposeAsync();
}

/// <summary>The registry's own artifact table (the default store): write-once, content-addressed, verified on read.</summary>
public sealed class PostgreSqlArtifactStoreConformanceTests : ArtifactStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlRegistryFixture _fixture = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    private readonly Dictionary<IArtifactStore, IModelRegistry> _stores = [];

    protected override IArtifactStore CreateStore()
    {
        var registry = _fixture.CreateRegistry();
        var store = registry.GetService<IArtifactStore>()!;
        _stores[store] = registry;
        return store;
    }

    protected override async ValueTask CorruptAsync(IArtifactStore store, ArtifactReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var schema = _fixture.SchemaOf(_stores[store]);
        await PostgresServer.ExecuteAsync(_fixture.ConnectionString, $"UPDATE {schema}.artifacts SET content = overlay(content placing '\\xff'::bytea from 1 for 1) WHERE sha256 = '{reference.Sha256}'");
    }
}

public sealed class PostgreSqlRunRequestConformanceTests() : RunRequestConformanceTests(new PostgreSqlRegistryFixture()), IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await ((PostgreSqlRegistryFixture)Fixture).DisposeAsync();
}
