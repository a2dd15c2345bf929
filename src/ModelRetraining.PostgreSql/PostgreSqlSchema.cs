using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace ModelRetraining.PostgreSql;

/// <summary>
/// The registry's schema as ordered migrations. They run inside one transaction that first takes a
/// transaction-scoped advisory lock on the schema's name, so any number of nodes starting at once apply
/// each migration exactly once (the others wait, then find it recorded); the lock goes with the
/// transaction, never with a pooled connection. A database written by a newer package is refused, never
/// half-read. A change of schema is a new entry at the end of <see cref="Migrations"/>, never an edit.
/// </summary>
internal static partial class PostgreSqlSchema
{
    public const int MaxSchemaLength = 40;

    // Tables are created in the search path, which the registry sets to its own schema on every connection.
    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> Migrations =
    [
        (1, "versions, aliases, audit, approvals, run journal and claims, artifacts", """
            CREATE TABLE models(
                name text PRIMARY KEY, created_at timestamptz NOT NULL, created_by text NOT NULL, last_version integer NOT NULL DEFAULT 0);
            CREATE TABLE versions(
                model text NOT NULL REFERENCES models(name), version integer NOT NULL, artifact_sha256 text NOT NULL, artifact_length bigint NOT NULL,
                flavor text NOT NULL, file_name text NOT NULL, created_at timestamptz NOT NULL, created_by text NOT NULL,
                parent_version integer NULL, run_id text NULL, description text NULL, decision text NULL,
                PRIMARY KEY(model, version));
            CREATE TABLE version_metrics(
                model text NOT NULL, version integer NOT NULL, name text NOT NULL, value double precision NOT NULL, direction integer NOT NULL,
                PRIMARY KEY(model, version, name), FOREIGN KEY(model, version) REFERENCES versions);
            CREATE TABLE version_parameters(
                model text NOT NULL, version integer NOT NULL, key text NOT NULL, value text NOT NULL,
                PRIMARY KEY(model, version, key), FOREIGN KEY(model, version) REFERENCES versions);
            CREATE TABLE version_datasets(
                model text NOT NULL, version integer NOT NULL, role text NOT NULL, name text NOT NULL, fingerprint text NOT NULL, rows bigint NOT NULL,
                PRIMARY KEY(model, version, role, name), FOREIGN KEY(model, version) REFERENCES versions);
            CREATE TABLE version_tags(
                model text NOT NULL, version integer NOT NULL, key text NOT NULL, value text NOT NULL,
                PRIMARY KEY(model, version, key), FOREIGN KEY(model, version) REFERENCES versions);
            CREATE TABLE version_attachments(
                model text NOT NULL, version integer NOT NULL, name text NOT NULL, flavor text NOT NULL, file_name text NOT NULL,
                sha256 text NOT NULL, length bigint NOT NULL,
                PRIMARY KEY(model, version, name), FOREIGN KEY(model, version) REFERENCES versions);
            CREATE TABLE aliases(
                model text NOT NULL, alias text NOT NULL, version integer NOT NULL,
                PRIMARY KEY(model, alias), FOREIGN KEY(model, version) REFERENCES versions);
            CREATE TABLE alias_history(
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, model text NOT NULL, alias text NOT NULL, from_version integer NULL,
                to_version integer NULL, actor text NOT NULL, reason text NOT NULL, at timestamptz NOT NULL);
            CREATE INDEX ix_alias_history ON alias_history(model, alias, seq);
            CREATE TABLE audit_events(
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, model text NOT NULL, action text NOT NULL, subject text NOT NULL,
                actor text NOT NULL, at timestamptz NOT NULL, from_value text NULL, to_value text NULL, reason text NULL);
            CREATE INDEX ix_audit_events ON audit_events(model, seq);
            CREATE TABLE approval_requests(
                seq bigint GENERATED ALWAYS AS IDENTITY, id text PRIMARY KEY, model text NOT NULL, version integer NOT NULL,
                status text NOT NULL, revision bigint NOT NULL, document text NOT NULL);
            CREATE INDEX ix_approval_requests_version ON approval_requests(model, version, seq);
            CREATE INDEX ix_approval_requests_open ON approval_requests(status) WHERE status IN ('Pending', 'Escalated');
            CREATE TABLE run_journal(
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id text NOT NULL, model text NOT NULL, stage text NOT NULL,
                status text NOT NULL, at timestamptz NOT NULL, inputs text NULL, outputs text NULL, duration_ms double precision NOT NULL);
            CREATE INDEX ix_run_journal ON run_journal(run_id, seq);
            CREATE INDEX ix_run_journal_model ON run_journal(model, seq);
            CREATE TABLE run_checkpoints(
                run_id text NOT NULL, name text NOT NULL, content bytea NOT NULL, PRIMARY KEY(run_id, name));
            CREATE TABLE run_claims(
                run_id text PRIMARY KEY, model text NOT NULL, attempt integer NOT NULL, holder text NOT NULL, at timestamptz NOT NULL);
            CREATE TABLE artifacts(
                sha256 text PRIMARY KEY, length bigint NOT NULL, content bytea NOT NULL, stored_at timestamptz NOT NULL);
            """),
        (2, "run requests (cancel, resume)", """
            CREATE TABLE run_requests(
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id text NOT NULL, model text NOT NULL, kind text NOT NULL,
                actor text NOT NULL, reason text NOT NULL, at timestamptz NOT NULL, closed_at timestamptz NULL, outcome text NULL);
            CREATE UNIQUE INDEX ux_run_requests_open ON run_requests(run_id, kind) WHERE closed_at IS NULL;
            CREATE INDEX ix_run_requests_model ON run_requests(model, seq) WHERE closed_at IS NULL;
            CREATE INDEX ix_run_requests_run ON run_requests(run_id, seq);
            """),
    ];

    /// <summary>Gets the schema version this package writes.</summary>
    public static int Latest => Migrations[^1].Version;

    // pg_ names are PostgreSQL's own (it refuses to create them).
    public static bool IsValidSchemaName(string? name) => name is not null && SchemaPattern().IsMatch(name) && !name.StartsWith("pg_", StringComparison.Ordinal);

    /// <summary>The schema as a quoted identifier: a valid name can still be a reserved word (user, order).</summary>
    public static string Quote(string schema) => "\"" + schema + "\"";

    /// <summary>The notification channel of a schema's alias moves (an identifier, at most 63 bytes).</summary>
    public static string AliasChannel(string schema) => schema + "_alias_moves";

    /// <summary>Creates the schema when missing and brings it up to <see cref="Latest"/>, serialized across nodes.</summary>
    /// <returns>The migrations applied.</returns>
    /// <exception cref="ModelRegistryException">The database is newer than this package.</exception>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, string schema, string describe, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);

        // hashtext gives a stable 32-bit key per schema name; the lock is released by COMMIT or ROLLBACK.
        await RunAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('ModelRetraining.PostgreSql:' || @s))", cancellationToken, ("s", schema)).ConfigureAwait(false);
        await RunAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {Quote(schema)}", cancellationToken).ConfigureAwait(false);
        await RunAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS {Quote(schema)}.schema_migrations(version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL)", cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(connection, transaction, schema, cancellationToken).ConfigureAwait(false);
        if (current > Latest)
        {
            throw new ModelRegistryException($"The PostgreSQL registry {describe} has schema version {current}, newer than the {Latest} this version of ModelRetraining.PostgreSql knows: upgrade the package on this node, or point it at another schema. Nothing was changed.");
        }

        var applied = 0;
        foreach (var (version, description, sql) in Migrations.Where(m => m.Version > current))
        {
            await RunAsync(connection, transaction, $"SET LOCAL search_path TO {Quote(schema)}; {sql}", cancellationToken).ConfigureAwait(false);
            await RunAsync(
                connection,
                transaction,
                $"INSERT INTO {Quote(schema)}.schema_migrations(version, description, applied_at) VALUES(@v, @d, @at)",
                cancellationToken,
                ("v", version),
                ("d", description),
                ("at", now.ToUniversalTime())).ConfigureAwait(false);
            applied++;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <summary>Reads the schema version (0 when the schema or its migrations table does not exist).</summary>
    public static async Task<int> CurrentAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", connection, transaction);
        await using var existsScope = exists.ConfigureAwait(false);
        exists.Parameters.AddWithValue("t", Quote(schema) + ".schema_migrations");
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            return 0;
        }

        var command = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {Quote(schema)}.schema_migrations", connection, transaction);

        await using var commandScope = command.ConfigureAwait(false);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task RunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [GeneratedRegex(@"\A[a-z_][a-z0-9_]{0,39}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaPattern();
}
