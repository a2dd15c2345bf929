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
            RefuseLostDatabase();
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

        // Opening the registry sweeps what killed writers left in the artifact store.
        _ = (_artifacts as LocalArtifactStore)?.Sweep;

        return ValueTask.CompletedTask;
    }

    // SQLite takes a zero-byte (or missing) file for a new, empty database. Beside stored artifacts that
    // means the database was lost or truncated: starting afresh would hide every version, so refuse.
    private void RefuseLostDatabase()
    {
        var database = new FileInfo(_databasePath);
        if (database.Exists && database.Length > 0)
        {
            return;
        }

        var artifacts = Path.Combine(_folder, "artifacts", "sha256");
        if (Directory.Exists(artifacts) && Directory.EnumerateFiles(artifacts, "*", SearchOption.AllDirectories).Any())
        {
            throw new ModelRegistryException(
                $"The registry database '{_databasePath}' is {(database.Exists ? "empty (0 bytes)" : "missing")}, but the artifact folder '{artifacts}' holds stored models: the database was lost or truncated. Restore it from a backup; nothing was created or changed.");
        }
    }

    public async ValueTask<RegistryHealthReport> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        try
        {
            await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
            using var connection = Open();
            using var check = Command(connection, null, "PRAGMA quick_check");
            if (check.ExecuteScalar() is string result && !string.Equals(result, "ok", StringComparison.Ordinal))
            {
                problems.Add($"SQLite quick_check of '{_databasePath}' reports: {result}");
            }
        }
        catch (ModelRegistryException ex)
        {
            problems.Add(ex.Message);
        }

        var sweep = (_artifacts as LocalArtifactStore)?.Sweep;
        return new RegistryHealthReport($"embedded registry at '{_folder}'", problems)
        {
            PartialFilesRemoved = sweep?.Removed ?? 0,
            PartialFilesRemaining = sweep?.Remaining ?? 0,
            PartialBytesRemaining = sweep?.RemainingBytes ?? 0,
        };
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

    // SQLite has no NaN (the provider refuses it) and its infinities do not survive every tool: non-finite
    // values are stored as the text .NET writes and reads back ("NaN", "Infinity", "-Infinity").
    private static object StoredDouble(double value)
        => double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);

    private static double ReadDouble(SqliteDataReader reader, int ordinal)
        => reader.GetValue(ordinal) is string text ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : reader.GetDouble(ordinal);

    private static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
