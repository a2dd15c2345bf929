using System.Diagnostics;
using Npgsql;

namespace ModelRetraining.PostgreSql;

// Connections, transactions and the schema: the schema is migrated once per registry instance, every
// write is one transaction, every failure of the database becomes a ModelRegistryException naming the
// registry (host, port, database, user, schema; never the password).
internal sealed partial class PostgreSqlModelRegistry
{
    public async ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_initialized)
        {
            return;
        }

        await _initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

            await using var connectionScope = connection.ConfigureAwait(false);

            // A node whose role may not run DDL still opens a schema that is already current.
            var current = await PostgreSqlSchema.CurrentAsync(connection, null, _schema, cancellationToken).ConfigureAwait(false);
            if (current != PostgreSqlSchema.Latest && !_options.MigrateSchema)
            {
                // A read-only tool (mrt) must neither create a registry where a name was mistyped nor migrate one under its host.
                throw new ModelRegistryException(current == 0
                    ? $"The PostgreSQL registry {_describe} does not exist: the schema has no registry tables. Nothing was created ({nameof(PostgreSqlRegistryOptions.MigrateSchema)} is off)."
                    : current < PostgreSqlSchema.Latest
                        ? $"The PostgreSQL registry {_describe} has schema version {current}; this package reads {PostgreSqlSchema.Latest}. Opening it would migrate it: let its host (same package version) open it first. Nothing was changed."
                        : $"The PostgreSQL registry {_describe} has schema version {current}, newer than the {PostgreSqlSchema.Latest} this version of ModelRetraining.PostgreSql knows: upgrade it. Nothing was changed.");
            }

            if (current != PostgreSqlSchema.Latest)
            {
                await PostgreSqlSchema.MigrateAsync(connection, _schema, _describe, Now(), cancellationToken).ConfigureAwait(false);
            }

            _initialized = true;
        }
        catch (NpgsqlException ex)
        {
            throw Refused("cannot be opened", ex);
        }
        finally
        {
            _initialization.Release();
        }
    }

    /// <summary>
    /// Opens the registry at host start: retries what may pass (a server still starting, a refused
    /// connection) a bounded number of times, and gives up at once on what will not (a wrong password,
    /// a missing database, a schema newer than the package).
    /// </summary>
    public async Task InitializeWithRetriesAsync(CancellationToken cancellationToken)
    {
        var delay = _options.StartupRetryDelay;
        var started = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ModelRegistryException ex) when (ex.InnerException is NpgsqlException inner && IsWorthRetrying(inner) && attempt < _options.StartupAttempts)
            {
                Log.StartupAttemptFailed(_logger, _describe, attempt, _options.StartupAttempts, inner.Message);
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                delay += delay;
            }
            catch (ModelRegistryException ex) when (ex.InnerException is NpgsqlException inner && IsWorthRetrying(inner))
            {
                throw new ModelRegistryException($"The PostgreSQL registry {_describe} could not be reached after {attempt} attempts over {started.Elapsed.TotalSeconds:0.0} s: {inner.Message}. Check that the server runs and the connection string's host and port; nothing was created or changed.", inner);
            }
        }
    }

    // Authentication, a missing database or role, and permission errors will fail the same way again.
    private static bool IsWorthRetrying(NpgsqlException exception)
        => exception is not PostgresException postgres || postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300";

    public async ValueTask<RegistryHealthReport> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        try
        {
            await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var version = await PostgreSqlSchema.CurrentAsync(connection, null, _schema, cancellationToken).ConfigureAwait(false);
            if (version != PostgreSqlSchema.Latest)
            {
                problems.Add($"The PostgreSQL registry {_describe} has schema version {version}; this node writes {PostgreSqlSchema.Latest}.");
            }
        }
        catch (ModelRegistryException ex)
        {
            problems.Add(ex.Message);
        }
        catch (NpgsqlException ex)
        {
            problems.Add($"The PostgreSQL registry {_describe} does not answer: {ex.Message}");
        }

        return new RegistryHealthReport($"PostgreSQL registry {_describe}", problems);
    }

    public async ValueTask DisposeAsync()
    {
        if (!MarkDisposed())
        {
            return;
        }

        await StopListeningAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _initialization.Dispose();
    }

    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
        => await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private async ValueTask<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                return await work(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex) when (attempt < BrokenConnectionAttempts && IsBrokenConnection(ex))
            {
                await AfterBrokenConnectionAsync(ex, attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw Refused("refused a read", ex);
            }
        }
    }

    // Three tries in all (0.2 s, then 0.4 s apart): a restart or failover is usually over by then.
    private const int BrokenConnectionAttempts = 3;

    // The server ended the session (a restart, a failover, an administrator) or the socket broke: not a timeout,
    // not an exhausted pool, not anything the server refused.
    private static bool IsBrokenConnection(NpgsqlException exception)
        => exception is PostgresException postgres
            ? postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState is "57P01" or "57P02" or "57P03"
            : exception.InnerException is IOException or System.Net.Sockets.SocketException or EndOfStreamException;

    // A pooled connection the server closed (a restart, a failover, an idle timeout) fails its next command.
    // Nothing was committed then (the commit's own failure is never retried), so the work is done again on a
    // fresh connection, after the pool dropped the others it holds to that server.
    private async Task AfterBrokenConnectionAsync(NpgsqlException exception, int attempt, CancellationToken cancellationToken)
    {
        Log.BrokenConnection(_logger, _describe, attempt, BrokenConnectionAttempts, exception.Message);
        _dataSource.Clear();
        await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var transactionScope = transaction.ConfigureAwait(false);
                var result = await work(connection, transaction, cancellationToken).ConfigureAwait(false);
                try
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (NpgsqlException ex)
                {
                    throw Refused("did not answer the commit of a write, so whether it was stored is unknown (read it back before trying again)", ex);
                }

                return result;
            }
            catch (NpgsqlException ex) when (attempt < BrokenConnectionAttempts && IsBrokenConnection(ex))
            {
                await AfterBrokenConnectionAsync(ex, attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw Refused("refused a write; nothing of it was stored", ex);
            }
        }
    }

    // A listing is read whole on one pooled connection and then handed out, so a slow consumer holds no connection.
    private async ValueTask<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        => await ReadAsync((connection, ct) => QueryAsync(connection, null, sql, map, ct, parameters), cancellationToken).ConfigureAwait(false);

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var rows = new List<T>();
        var command = Command(connection, transaction, sql, parameters);
        await using var commandScope = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private ModelRegistryException Refused(string what, NpgsqlException ex)
        => new($"The PostgreSQL registry {_describe} {what}: {ex.Message}", ex);

    // timestamptz keeps microseconds: the clock is cut to them so what a call returns equals what it stored.
    private DateTimeOffset Now() => Microseconds(_timeProvider.GetUtcNow());

    internal static DateTimeOffset Microseconds(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    private static string Describe(NpgsqlConnectionStringBuilder builder, string schema)
        => $"'{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}' (user '{builder.Username}', schema '{schema}')";

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(Parameter(name, value));
        }

        return command;
    }

    private static void Add(NpgsqlBatch batch, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(Parameter(name, value));
        }

        batch.BatchCommands.Add(command);
    }

    private static NpgsqlParameter Parameter(string name, object? value)
        => value switch
        {
            null => new NpgsqlParameter(name, DBNull.Value),
            DateTimeOffset at => new NpgsqlParameter(name, at.ToUniversalTime()),
            _ => new NpgsqlParameter(name, value),
        };

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using var commandScope = command.ConfigureAwait(false);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using var commandScope = command.ConfigureAwait(false);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }
}
