using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

// Connections, transactions and the schema: every write is one BEGIN IMMEDIATE transaction; the schema is migrated once per process.
internal sealed partial class SqliteModelRegistry
{
    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_initialized)
        {
            return ValueTask.CompletedTask;
        }

        lock (_initialization)
        {
            if (_initialized)
            {
                return ValueTask.CompletedTask;
            }

            RefuseReadOnlyFolder();
            try
            {
                Directory.CreateDirectory(_folder);
                using var connection = Open();
                using (var wal = Command(connection, null, "PRAGMA journal_mode=WAL;"))
                {
                    wal.ExecuteNonQuery();
                }

                using var transaction = connection.BeginTransaction(deferred: false);
                SqliteSchema.Migrate(connection, transaction, _databasePath, _timeProvider.GetUtcNow());
                transaction.Commit();
            }
            catch (Exception ex) when (ex is SqliteException or UnauthorizedAccessException or IOException)
            {
                throw new ModelRegistryException($"Cannot open the model registry in folder '{_folder}' (database '{_databasePath}'): {ex.Message}", ex);
            }

            _initialized = true;
        }

        return ValueTask.CompletedTask;
    }

    // Root ignores permission bits, so a folder someone marked read-only would otherwise be written anyway.
    private void RefuseReadOnlyFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var path in new[] { _folder, _databasePath })
        {
            if (!Path.Exists(path))
            {
                continue;
            }

            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserWrite) == 0)
            {
                throw new ModelRegistryException($"The registry at '{path}' is read-only (mode {Convert.ToString((int)mode, 8)}): the registry is left as it is. Make the folder writable or point the registry elsewhere.");
            }
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private async ValueTask<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RefuseReadOnlyFolder();
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            var result = work(connection, transaction);
            transaction.Commit();
            return await ValueTask.FromResult(result).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw new ModelRegistryException($"The model registry in '{_folder}' refused a write: {ex.Message}", ex);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
