using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.PostgreSql.Tests;

// The same suites the embedded (SQLite) and in-memory registries pass, unchanged, on a real PostgreSQL 15.
public sealed class PostgreSqlVersionsConformanceTests() : VersionsConformanceTests(new PostgreSqlRegistryFixture()), IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await ((PostgreSqlRegistryFixture)Fixture).DisposeAsync();
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
