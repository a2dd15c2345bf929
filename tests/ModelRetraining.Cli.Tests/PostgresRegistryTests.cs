using System.Text;
using System.Text.Json;
using ModelRetraining.PostgreSql;
using Npgsql;
using static ModelRetraining.Cli.Tests.QuickStartRegistry;

namespace ModelRetraining.Cli.Tests;

/// <summary>
/// mrt on a PostgreSQL registry (the server eng/test.sh starts, MR_POSTGRES; a database per test): it reads and
/// promotes as on a folder, and never creates or migrates a schema — a mistyped one is refused with nothing created.
/// </summary>
public sealed class PostgresRegistryTests
{
    private static async Task<string> NewDatabaseAsync()
    {
        var server = Environment.GetEnvironmentVariable("MR_POSTGRES");
        Assert.False(string.IsNullOrEmpty(server), "MR_POSTGRES is not set: run the tests with eng/test.sh, which starts PostgreSQL on 127.0.0.1.");
        var name = $"mrt_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ToString();
    }

    private static async Task<long> SchemasNamedAsync(string database, string schema)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_namespace WHERE nspname = @s", connection);
        command.Parameters.AddWithValue("s", schema);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task ListAndPromote_OnAPostgreSqlRegistry_ReadAndChangeItAsOnAFolder()
    {
        var database = await NewDatabaseAsync();
        await using (var registry = (IAsyncDisposable)PostgreSqlRegistry.Create(database, new PostgreSqlRegistryOptions { Schema = "ops" }))
        {
            var models = (IModelRegistry)registry;
            await models.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes("v1")), "alice"));
            await models.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes("v2")), "alice"));
            await models.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, 1, null, "alice", "first"));
        }

        var location = $"pg:{database}";
        var (exit, json, error) = await Mrt("models", "list", "--registry", location, "--schema", "ops", "--json");
        Assert.True(exit == 0, error);
        using (var list = JsonDocument.Parse(json))
        {
            Assert.Equal("churn", list.RootElement[0].GetProperty("name").GetString());
        }

        var (promoted, _, promoteError) = await Mrt("promote", "churn", "2", "--expected", "1", "--reason", "better", "--actor", "bob", "--registry", location, "--schema", "ops");
        Assert.True(promoted == 0, promoteError);
        await using var reopened = (IAsyncDisposable)PostgreSqlRegistry.Create(database, new PostgreSqlRegistryOptions { Schema = "ops" });
        var alias = await ((IModelRegistry)reopened).GetAliasAsync("churn", ModelAliases.Champion);
        Assert.Equal(2, alias!.Version);
    }

    [Fact]
    public async Task AMistypedSchema_IsRefused_AndNothingIsCreated()
    {
        var database = await NewDatabaseAsync();

        var (exit, _, error) = await Mrt("models", "list", "--registry", $"pg:{database}", "--schema", "opps");

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was created", error, StringComparison.Ordinal);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(database).Password!, error, StringComparison.Ordinal);
        Assert.Equal(0, await SchemasNamedAsync(database, "opps"));
    }

    [Fact]
    public async Task ABadConnectionString_IsAUsageError()
    {
        var (exit, _, error) = await Mrt("models", "list", "--registry", "pg:Hots=nowhere;Colour=blue");
        Assert.Equal(2, exit);
        Assert.Contains("connection string", error, StringComparison.Ordinal);
    }
}
