using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>The PostgreSQL registry for the conformance suites: a fresh schema of the run's shared database per registry, an artifact row changed behind its back.</summary>
public sealed class PostgreSqlRegistryFixture : RegistryFixture, IAsyncDisposable
{
    private readonly List<(IModelRegistry Registry, string Schema)> _created = [];

    public string ConnectionString { get; } = PostgresServer.SharedDatabaseAsync().GetAwaiter().GetResult();

    public string SchemaOf(IModelRegistry registry) => _created.First(c => ReferenceEquals(c.Registry, registry)).Schema;

    public override IModelRegistry CreateRegistry()
    {
        var schema = PostgresServer.NewSchema();
        var registry = PostgreSqlRegistry.Create(ConnectionString, new PostgreSqlRegistryOptions { Schema = schema });
        _created.Add((registry, schema));
        return registry;
    }

    public override async ValueTask CorruptArtifactAsync(IModelRegistry registry, ModelVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        await PostgresServer.ExecuteAsync(ConnectionString, $"UPDATE {SchemaOf(registry)}.artifacts SET content = overlay(content placing '\\xff'::bytea from 1 for 1) WHERE sha256 = '{version.Artifact.Sha256}'");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (registry, _) in _created)
        {
            await ((IAsyncDisposable)registry).DisposeAsync();
        }
    }
}
