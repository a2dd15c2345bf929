using System.Text.Json;

namespace ModelRetraining.Cli;

/// <summary>
/// Which registry a command reads: <c>--registry</c>, else <c>MRT_REGISTRY</c>, else <c>mrt.json</c> in the
/// current folder (<c>{"registry": "models"}</c>), in that order. A folder that holds no registry is
/// refused (exit 4) and never created: a typo must not leave an empty registry behind.
/// </summary>
internal static class RegistryLocation
{
    public const string EnvironmentVariable = "MRT_REGISTRY";

    public const string ConfigFile = "mrt.json";

    /// <summary>A location that starts with this is a PostgreSQL registry: <c>pg:Host=…;Database=…</c> (an Npgsql connection string).</summary>
    public const string PostgresPrefix = "pg:";

    public static IModelRegistry Open(CliArguments args, bool changes)
    {
        var (folder, from) = Find(args);
        if (folder.StartsWith(PostgresPrefix, StringComparison.Ordinal))
        {
            return OpenPostgres(folder[PostgresPrefix.Length..], args.Option("schema") ?? "model_retraining", from);
        }

        var full = Path.GetFullPath(folder);
        var database = Path.Combine(full, "registry.db");
        if (!File.Exists(database))
        {
            throw new CliException(ExitCodes.NotFound, $"No registry at '{full}' (from {from}): the folder {(Directory.Exists(full) ? "has no registry.db" : "does not exist")}. Nothing was created.");
        }

        // Opening a registry of an older schema migrates it; a command that only reads must not, so it is refused.
        var version = SchemaVersion(database);
        if (!changes && version != ModelRegistry.EmbeddedSchemaVersion)
        {
            throw new CliException(ExitCodes.Failed, $"The registry at '{full}' has schema version {version}; this mrt reads version {ModelRegistry.EmbeddedSchemaVersion}. {(version < ModelRegistry.EmbeddedSchemaVersion ? "Reading it would migrate it: let its host (same package version as mrt) open it first" : "Upgrade mrt")}. Nothing was changed.");
        }

        return ModelRegistry.Embedded(full);
    }

    /// <summary>The registry's folder, found as <see cref="Open"/> finds it; <see langword="null"/> for a PostgreSQL registry.</summary>
    public static string? FolderOf(CliArguments args)
        => Find(args).Folder is var folder && folder.StartsWith(PostgresPrefix, StringComparison.Ordinal) ? null : Path.GetFullPath(folder);

    // mrt never creates or migrates a PostgreSQL registry (its hosts do): a mistyped schema or database is refused with nothing created.
    private static IModelRegistry OpenPostgres(string connectionString, string schema, string from)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ExitCodes.Usage, $"The PostgreSQL connection string from {from} is not valid: {ex.Message}");
        }

        return ModelRetraining.PostgreSql.PostgreSqlRegistry.Create(connectionString, new ModelRetraining.PostgreSql.PostgreSqlRegistryOptions { Schema = schema, MigrateSchema = false, StartupAttempts = 1 });
    }

    private static int SchemaVersion(string database)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = database, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        using (connection)
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE((SELECT MAX(version) FROM schema_migrations), 0)";
            try
            {
                return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                return 0; // no migrations table: the first schema
            }
        }
    }

    private static (string Folder, string From) Find(CliArguments args)
    {
        if (args.Option("registry") is { } option)
        {
            return option.Trim().Length > 0 ? (option, "--registry") : throw new CliException(ExitCodes.Usage, "--registry is empty: name the registry's folder (an unset variable, most likely).");
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } variable)
        {
            return (variable, EnvironmentVariable);
        }

        var config = Path.Combine(Environment.CurrentDirectory, ConfigFile);
        if (File.Exists(config))
        {
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(config));
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("registry", out var registry) && registry.ValueKind == JsonValueKind.String && registry.GetString() is { Length: > 0 } path)
                {
                    if (path.StartsWith(PostgresPrefix, StringComparison.Ordinal))
                    {
                        return (path, config);
                    }

                    // Relative to the config file, as the file is where the operator keeps it.
                    return (Path.Combine(Path.GetDirectoryName(config)!, path), config);
                }
            }
            catch (JsonException ex)
            {
                throw new CliException(ExitCodes.Usage, $"'{config}' is not valid JSON ({ex.Message}); it should be {{\"registry\": \"<folder>\"}}.");
            }

            throw new CliException(ExitCodes.Usage, $"'{config}' has no \"registry\" string; it should be {{\"registry\": \"<folder>\"}}.");
        }

        throw new CliException(ExitCodes.Usage, $"No registry given: pass --registry <folder>, set {EnvironmentVariable}, or put {ConfigFile} with {{\"registry\": \"<folder>\"}} in the current folder.");
    }
}
