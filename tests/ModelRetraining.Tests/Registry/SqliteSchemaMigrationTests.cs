using System.Text;
using Microsoft.Data.Sqlite;

namespace ModelRetraining.Tests.Registry;

/// <summary>The embedded registry's schema is versioned: migrations run once, in order; a database from before versioning is brought up to date keeping its rows; a newer database is refused with nothing changed.</summary>
public class SqliteSchemaMigrationTests
{
    private static ValueTask<ModelVersion> RegisterAsync(IModelRegistry registry)
        => registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes(Guid.NewGuid().ToString())), "tester"));

    private static List<(long Version, string Description)> Migrations(string folder)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "registry.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, description FROM schema_migrations ORDER BY version";
        using var reader = command.ExecuteReader();
        var rows = new List<(long, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }

    private static void Execute(string folder, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "registry.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task NewDatabase_RecordsEveryMigrationOnce_AlsoWhenOpenedAgain()
    {
        var folder = TestData.TempFolder();
        await RegisterAsync(ModelRegistry.Embedded(folder));
        await RegisterAsync(ModelRegistry.Embedded(folder));

        Assert.Equal(SqliteSchema.Migrations.Select(m => (long)m.Version), Migrations(folder).Select(m => m.Version));
        Assert.Equal(SqliteSchema.Latest, Migrations(folder)[^1].Version);
    }

    [Fact]
    public async Task DatabaseFromBeforeVersioning_IsMigratedKeepingItsRowsAndApprovals()
    {
        var folder = TestData.TempFolder();
        var registry = ModelRegistry.Embedded(folder);
        var v1 = await RegisterAsync(registry);
        await registry.GetService<IApprovalStore>()!.CreateAsync(new ApprovalRequest("r1", "churn", v1.Version, null, "alice", DateTimeOffset.UnixEpoch));
        // Back to the first schema without a version table, as databases were before migrations existed.
        Execute(folder, "DROP TABLE schema_migrations; DROP INDEX ix_approval_requests_version; ALTER TABLE approval_requests DROP COLUMN version;");

        var reopened = ModelRegistry.Embedded(folder);

        Assert.Equal(2, (await RegisterAsync(reopened)).Version);
        Assert.Equal("r1", (await reopened.GetService<IApprovalStore>()!.GetByVersionAsync("churn", v1.Version))?.Id);
        Assert.Equal(SqliteSchema.Latest, Migrations(folder)[^1].Version);
    }

    [Fact]
    public async Task DatabaseNewerThanThePackage_IsRefusedNamingBothVersionsAndChangesNothing()
    {
        var folder = TestData.TempFolder();
        await RegisterAsync(ModelRegistry.Embedded(folder));
        Execute(folder, $"INSERT INTO schema_migrations(version, description, applied_at) VALUES({SqliteSchema.Latest + 1}, 'from the future', '2030-01-01')");
        var before = Migrations(folder);

        var error = await Assert.ThrowsAsync<ModelRegistryException>(async () => await RegisterAsync(ModelRegistry.Embedded(folder)));

        Assert.Contains($"schema version {SqliteSchema.Latest + 1}, newer than the {SqliteSchema.Latest}", error.Message, StringComparison.Ordinal);
        Assert.Contains("registry.db", error.Message, StringComparison.Ordinal);
        Assert.Equal(SqliteSchema.Latest + 1, Migrations(folder)[^1].Version);
        await Assert.ThrowsAsync<ModelRegistryException>(async () => await ConformanceReads.FirstModelAsync(ModelRegistry.Embedded(folder)));
        Assert.Equal(before, Migrations(folder));
    }

    private static class ConformanceReads
    {
        // A read opens the database too: it must be refused the same way, not half-read.
        public static async Task<string?> FirstModelAsync(IModelRegistry registry)
        {
            await foreach (var model in registry.ListModelsAsync())
            {
                return model;
            }

            return null;
        }
    }
}
