namespace ModelRetraining.PostgreSql.Tests;

/// <summary>A base for tests that need a database of their own: created before each test, with the registries a test opens disposed after it.</summary>
public abstract class PostgresDatabaseTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _registries = [];

    /// <summary>Gets the connection string of this test's database.</summary>
    protected string Database { get; private set; } = string.Empty;

    public async Task InitializeAsync() => Database = await PostgresServer.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var registry in _registries)
        {
            await registry.DisposeAsync();
        }
    }

    /// <summary>Opens a registry on a schema of this test's database (or of another connection string), disposed when the test ends.</summary>
    private protected PostgreSqlModelRegistry Open(string schema, Action<PostgreSqlRegistryOptions>? configure = null, string? connectionString = null)
    {
        var options = new PostgreSqlRegistryOptions { Schema = schema };
        configure?.Invoke(options);
        var registry = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(connectionString ?? Database, options);
        _registries.Add(registry);
        return registry;
    }
}
