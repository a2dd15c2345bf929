using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

/// <summary>The store's index: its SQLite schema and migration, the insert of a batch with its parts, and the queries that read batches back.</summary>
public sealed partial class DatasetStore
{
    private async Task<DatasetBatch> InsertAsync(PendingBatch pending, List<ArtifactReference> parts, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false);
            var dataset = pending.Dataset;
            var sequence = 1 + Convert.ToInt64(Scalar(connection, transaction, "SELECT COALESCE(MAX(sequence), 0) FROM batches WHERE dataset = $d", ("$d", dataset)), CultureInfo.InvariantCulture);
            var batch = new DatasetBatch(dataset, sequence, receivedAt, pending.Source, pending.SentBy, pending.Rows, pending.Fingerprint, pending.SchemaHash, parts[0])
            {
                IdempotencyKey = pending.IdempotencyKey,
                Warnings = pending.Warnings,
                Quarantined = pending.Quarantined,
                Parts = parts,
            };
            Execute(
                connection,
                transaction,
                """
                INSERT INTO batches(dataset, sequence, received_at, source, sent_by, rows, fingerprint, schema_hash, content_sha256, content_length, idempotency_key, warnings, quarantined, parts)
                VALUES($d, $s, $at, $source, $by, $rows, $fp, $schema, $sha, $len, $key, $warnings, $quarantined, $parts)
                """,
                ("$d", dataset), ("$s", sequence), ("$at", receivedAt.UtcTicks), ("$source", batch.Source), ("$by", batch.SentBy), ("$rows", batch.Rows),
                ("$fp", batch.Fingerprint), ("$schema", batch.SchemaHash), ("$sha", parts[0].Sha256), ("$len", parts[0].Length), ("$key", (object?)batch.IdempotencyKey ?? DBNull.Value),
                ("$warnings", JsonSerializer.Serialize(batch.Warnings.Select(w => new[] { w.Rule, w.Message }))), ("$quarantined", batch.Quarantined), ("$parts", parts.Count));
            for (var i = 0; parts.Count > 1 && i < parts.Count; i++)
            {
                Execute(connection, transaction, "INSERT INTO batch_parts(dataset, sequence, part, sha256, length) VALUES($d, $s, $p, $sha, $len)", ("$d", dataset), ("$s", sequence), ("$p", i), ("$sha", parts[i].Sha256), ("$len", parts[i].Length));
            }

            transaction.Commit();
            return batch;
        }
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private async Task<DatasetBatch?> FindByKeyAsync(string dataset, string key, CancellationToken cancellationToken)
        => (await QueryAsync("SELECT * FROM batches WHERE dataset = $d AND idempotency_key = $k", cancellationToken, ("$d", dataset), ("$k", key)).ConfigureAwait(false)).SingleOrDefault();

    private async Task<IReadOnlyList<DatasetBatch>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var connection = new SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // One read transaction: a prune between reading the batches and their parts cannot leave a batch without parts.
            using var transaction = connection.BeginTransaction(deferred: true);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            var batches = new List<DatasetBatch>();
            var inParts = new List<int>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var warnings = JsonSerializer.Deserialize<string[][]>(reader.GetString(reader.GetOrdinal("warnings")))!;
                batches.Add(new DatasetBatch(
                    reader.GetString(reader.GetOrdinal("dataset")),
                    reader.GetInt64(reader.GetOrdinal("sequence")),
                    new DateTimeOffset(reader.GetInt64(reader.GetOrdinal("received_at")), TimeSpan.Zero),
                    reader.GetString(reader.GetOrdinal("source")),
                    reader.GetString(reader.GetOrdinal("sent_by")),
                    reader.GetInt64(reader.GetOrdinal("rows")),
                    reader.GetString(reader.GetOrdinal("fingerprint")),
                    reader.GetString(reader.GetOrdinal("schema_hash")),
                    new ArtifactReference(reader.GetString(reader.GetOrdinal("content_sha256")), reader.GetInt64(reader.GetOrdinal("content_length"))))
                {
                    IdempotencyKey = reader.IsDBNull(reader.GetOrdinal("idempotency_key")) ? null : reader.GetString(reader.GetOrdinal("idempotency_key")),
                    Warnings = [.. warnings.Select(w => new DataValidationIssue(ValidationSeverity.Warning, w[0], w[1]))],
                    Quarantined = reader.GetInt64(reader.GetOrdinal("quarantined")),
                });
                if (reader.GetInt64(reader.GetOrdinal("parts")) > 1)
                {
                    inParts.Add(batches.Count - 1);
                }
            }

            foreach (var i in inParts)
            {
                batches[i] = batches[i] with { Parts = await PartsAsync(connection, transaction, batches[i], cancellationToken).ConfigureAwait(false) };
            }

            return batches;
        }
    }

    private static async Task<IReadOnlyList<ArtifactReference>> PartsAsync(SqliteConnection connection, SqliteTransaction transaction, DatasetBatch batch, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT sha256, length FROM batch_parts WHERE dataset = $d AND sequence = $s ORDER BY part";
        command.Parameters.AddWithValue("$d", batch.Dataset);
        command.Parameters.AddWithValue("$s", batch.Sequence);
        var parts = new List<ArtifactReference>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            parts.Add(new ArtifactReference(reader.GetString(0), reader.GetInt64(1)));
        }

        return parts;
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteScalar();
    }

    // Once per store; a failed attempt (a locked file, a newer schema) is tried again by the next call.
    private Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = InitializeAsync();
            }

            return _initialization.WaitAsync(cancellationToken);
        }
    }

    private async Task InitializeAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false);
            var version = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException($"The dataset store '{connection.DataSource}' has schema version {version}, newer than this package's {SchemaVersion}: upgrade ModelRetraining before using it; nothing was changed.");
            }

            if (version < 1)
            {
                using var create = connection.CreateCommand();
                create.Transaction = transaction;
                create.CommandText = """
                    CREATE TABLE batches(
                        dataset TEXT NOT NULL, sequence INTEGER NOT NULL, received_at INTEGER NOT NULL, source TEXT NOT NULL, sent_by TEXT NOT NULL,
                        rows INTEGER NOT NULL, fingerprint TEXT NOT NULL, schema_hash TEXT NOT NULL, content_sha256 TEXT NOT NULL, content_length INTEGER NOT NULL,
                        idempotency_key TEXT, warnings TEXT NOT NULL, quarantined INTEGER NOT NULL,
                        PRIMARY KEY(dataset, sequence));
                    CREATE UNIQUE INDEX batches_idempotency ON batches(dataset, idempotency_key) WHERE idempotency_key IS NOT NULL;
                    CREATE INDEX batches_received ON batches(dataset, received_at);
                    PRAGMA user_version = 1;
                    """;
                create.ExecuteNonQuery();
            }

            if (version < 2)
            {
                // Version 2: a batch too large for memory is stored in parts, listed in order.
                using var parts = connection.CreateCommand();
                parts.Transaction = transaction;
                parts.CommandText = """
                    ALTER TABLE batches ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;
                    CREATE TABLE batch_parts(dataset TEXT NOT NULL, sequence INTEGER NOT NULL, part INTEGER NOT NULL, sha256 TEXT NOT NULL, length INTEGER NOT NULL, PRIMARY KEY(dataset, sequence, part));
                    CREATE INDEX batch_parts_content ON batch_parts(sha256);
                    PRAGMA user_version = 2;
                    """;
                parts.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }
}
