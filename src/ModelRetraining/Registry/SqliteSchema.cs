using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

/// <summary>
/// The embedded registry's schema as ordered migrations. Each runs once, in order, inside the same
/// <c>BEGIN IMMEDIATE</c> transaction that records it in <c>schema_migrations</c>, so processes opening one
/// database at once never apply a migration twice; a database written by a newer package is refused,
/// never half-read. A change of schema is a new entry at the end of <see cref="Migrations"/>, never an edit.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> Migrations =
    [
        (1, "versions, aliases, audit, approvals, run journal", """
            CREATE TABLE IF NOT EXISTS models(
                name TEXT PRIMARY KEY, created_at TEXT NOT NULL, created_by TEXT NOT NULL, last_version INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS versions(
                model TEXT NOT NULL, version INTEGER NOT NULL, artifact_sha256 TEXT NOT NULL, artifact_length INTEGER NOT NULL,
                flavor TEXT NOT NULL, file_name TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
                parent_version INTEGER NULL, run_id TEXT NULL, description TEXT NULL, decision TEXT NULL,
                PRIMARY KEY(model, version));
            CREATE TABLE IF NOT EXISTS version_metrics(
                model TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL, direction INTEGER NOT NULL,
                PRIMARY KEY(model, version, name));
            CREATE TABLE IF NOT EXISTS version_parameters(
                model TEXT NOT NULL, version INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(model, version, key));
            CREATE TABLE IF NOT EXISTS version_datasets(
                model TEXT NOT NULL, version INTEGER NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL, fingerprint TEXT NOT NULL, rows INTEGER NOT NULL,
                PRIMARY KEY(model, version, role, name));
            CREATE TABLE IF NOT EXISTS version_tags(
                model TEXT NOT NULL, version INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(model, version, key));
            CREATE TABLE IF NOT EXISTS version_attachments(
                model TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, flavor TEXT NOT NULL, file_name TEXT NOT NULL,
                sha256 TEXT NOT NULL, length INTEGER NOT NULL, PRIMARY KEY(model, version, name));
            CREATE TABLE IF NOT EXISTS aliases(
                model TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY(model, alias));
            CREATE TABLE IF NOT EXISTS alias_history(
                seq INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL, alias TEXT NOT NULL, from_version INTEGER NULL,
                to_version INTEGER NULL, actor TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_alias_history ON alias_history(model, alias, seq);
            CREATE TABLE IF NOT EXISTS audit_events(
                seq INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
                actor TEXT NOT NULL, at TEXT NOT NULL, from_value TEXT NULL, to_value TEXT NULL, reason TEXT NULL);
            CREATE INDEX IF NOT EXISTS ix_audit_events ON audit_events(model, seq);
            CREATE TABLE IF NOT EXISTS approval_requests(
                id TEXT PRIMARY KEY, model TEXT NOT NULL, status TEXT NOT NULL, revision INTEGER NOT NULL, document TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS run_journal(
                seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, model TEXT NOT NULL, stage TEXT NOT NULL, status TEXT NOT NULL,
                at TEXT NOT NULL, inputs TEXT NULL, outputs TEXT NULL, duration_ms REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_run_journal ON run_journal(run_id, seq);
            CREATE INDEX IF NOT EXISTS ix_run_journal_model ON run_journal(model, seq);
            CREATE TABLE IF NOT EXISTS run_checkpoints(
                run_id TEXT NOT NULL, name TEXT NOT NULL, content BLOB NOT NULL, PRIMARY KEY(run_id, name));

            """),
        (2, "approval requests by version", """
            ALTER TABLE approval_requests ADD COLUMN version INTEGER NULL;
            UPDATE approval_requests SET version = json_extract(document, '$.Version');
            CREATE INDEX IF NOT EXISTS ix_approval_requests_version ON approval_requests(model, version);
            """),
        (3, "run claims", """
            CREATE TABLE IF NOT EXISTS run_claims(
                run_id TEXT PRIMARY KEY, model TEXT NOT NULL, attempt INTEGER NOT NULL, holder TEXT NOT NULL, at TEXT NOT NULL);
            """),
        (4, "run requests (cancel, resume)", """
            CREATE TABLE IF NOT EXISTS run_requests(
                seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, model TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,
                reason TEXT NOT NULL, at TEXT NOT NULL, closed_at TEXT NULL, outcome TEXT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS ux_run_requests_open ON run_requests(run_id, kind) WHERE closed_at IS NULL;
            CREATE INDEX IF NOT EXISTS ix_run_requests_model ON run_requests(model, seq) WHERE closed_at IS NULL;
            CREATE INDEX IF NOT EXISTS ix_run_requests_run ON run_requests(run_id, seq);
            """),
    ];

    /// <summary>Gets the schema version this package writes.</summary>
    public static int Latest => Migrations[^1].Version;

    /// <summary>Brings the database up to <see cref="Latest"/> inside the caller's transaction.</summary>
    /// <returns>The migrations applied.</returns>
    /// <exception cref="ModelRegistryException">The database is newer than this package.</exception>
    public static int Migrate(SqliteConnection connection, SqliteTransaction transaction, string databasePath, DateTimeOffset now)
    {
        Run(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)");
        var current = Current(connection, transaction);
        if (current > Latest)
        {
            throw new ModelRegistryException($"The registry database '{databasePath}' has schema version {current}, newer than the {Latest} this version of ModelRetraining knows: upgrade the package, or point the registry at another folder. Nothing was changed.");
        }

        var applied = 0;
        foreach (var (version, description, sql) in Migrations.Where(m => m.Version > current))
        {
            Run(connection, transaction, sql);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations(version, description, applied_at) VALUES($v, $d, $at)";
            record.Parameters.AddWithValue("$v", version);
            record.Parameters.AddWithValue("$d", description);
            record.Parameters.AddWithValue("$at", now.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            record.ExecuteNonQuery();
            applied++;
        }

        return applied;
    }

    /// <summary>Reads the schema version of a database (0 before any migration).</summary>
    public static int Current(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Run(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
