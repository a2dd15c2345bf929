using Npgsql;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL server <c>eng/test.sh</c> started (<c>MR_POSTGRES</c>): one server per run. The conformance
/// suites share one database of this test run and take a fresh schema per registry; tests about a database
/// as a whole (migrations, credentials) make a database of their own.
/// </summary>
internal static class PostgresServer
{
    private static readonly Lazy<Task<string>> Shared = new(() => CreateDatabaseAsync("mr_shared"));

    public static string ServerConnectionString => Environment.GetEnvironmentVariable("MR_POSTGRES")
        ?? throw new InvalidOperationException("These tests need a real PostgreSQL: run them with `bash eng/test.sh`, which starts one on 127.0.0.1 and sets MR_POSTGRES, or set MR_POSTGRES to a server's connection string (Host, Port, Username, Password).");

    /// <summary>Gets the connection string of this run's shared database.</summary>
    public static Task<string> SharedDatabaseAsync() => Shared.Value;

    /// <summary>A new schema name, unique in the run.</summary>
    public static string NewSchema() => $"s_{Guid.NewGuid():N}"[..30];

    /// <summary>Creates a database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "mr")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ToString();
    }

    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public static async Task ExecuteAsync(string connectionString, string sql) => await ScalarAsync(connectionString, sql);
}
