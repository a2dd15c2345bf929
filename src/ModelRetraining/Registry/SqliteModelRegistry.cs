using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

/// <summary>
/// The embedded registry: metadata in one SQLite database (WAL, so readers never block the writer),
/// artifacts in a content-addressed folder beside it. Every write runs in a <c>BEGIN IMMEDIATE</c>
/// transaction, which serializes writers across threads and processes on one machine; SQLite's busy
/// timeout makes a second writer wait rather than fail.
/// </summary>
internal sealed class SqliteModelRegistry : IModelRegistry, IRunJournal, IApprovalStore, IAliasMoveSource
{
    private const string Schema = """
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
        """;

    private readonly string _folder;
    private readonly string _databasePath;
    private readonly string _connectionString;
    private readonly IArtifactStore _artifacts;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _initialization = new();
    private volatile bool _initialized;

    public SqliteModelRegistry(string folder, EmbeddedRegistryOptions options)
    {
        _folder = Path.GetFullPath(folder);
        _databasePath = Path.Combine(_folder, "registry.db");
        _artifacts = options.ArtifactStore ?? new LocalArtifactStore(Path.Combine(_folder, "artifacts"));
        _timeProvider = options.TimeProvider;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
            Pooling = true,
        }.ToString();
    }

    public IRunJournal Journal => this;

    public IApprovalStore Approvals => this;

    public string Folder => _folder;

    public async ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        RegistryNames.ThrowIfInvalid(version.ModelName, "model name", nameof(version));
        ArgumentException.ThrowIfNullOrWhiteSpace(version.Actor, nameof(version));
        foreach (var key in version.Tags.Keys)
        {
            RegistryNames.ThrowIfInvalid(key, "tag key", nameof(version));
        }

        foreach (var key in version.Attachments.Keys)
        {
            RegistryNames.ThrowIfInvalid(key, "attachment name", nameof(version));
        }

        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // The artifacts go first: a crash after them leaves unreferenced files, never a version without bytes.
        var reference = await PutArtifactAsync(version.Artifact.Content, cancellationToken).ConfigureAwait(false);
        var attachments = new List<(string Name, ModelArtifact Artifact, ArtifactReference Reference)>();
        foreach (var (name, attachment) in version.Attachments)
        {
            attachments.Add((name, attachment, await PutArtifactAsync(attachment.Content, cancellationToken).ConfigureAwait(false)));
        }
        var now = _timeProvider.GetUtcNow();

        return await WriteAsync(
            (connection, transaction) =>
            {
                var created = EnsureModel(connection, transaction, version.ModelName, version.Actor, now);
                var number = Convert.ToInt32(Scalar(connection, transaction, "SELECT last_version + 1 FROM models WHERE name = $m", ("$m", version.ModelName)), CultureInfo.InvariantCulture);
                Execute(connection, transaction, "UPDATE models SET last_version = $v WHERE name = $m", ("$v", number), ("$m", version.ModelName));
                Execute(
                    connection,
                    transaction,
                    """
                    INSERT INTO versions(model, version, artifact_sha256, artifact_length, flavor, file_name, created_at, created_by, parent_version, run_id, description, decision)
                    VALUES($m, $v, $sha, $len, $flavor, $file, $at, $by, $parent, $run, $desc, $decision)
                    """,
                    ("$m", version.ModelName),
                    ("$v", number),
                    ("$sha", reference.Sha256),
                    ("$len", reference.Length),
                    ("$flavor", version.Artifact.Flavor),
                    ("$file", version.Artifact.FileName),
                    ("$at", Format(now)),
                    ("$by", version.Actor),
                    ("$parent", version.ParentVersion),
                    ("$run", version.RunId),
                    ("$desc", version.Description),
                    ("$decision", version.Decision));
                foreach (var metric in version.Metrics.Values)
                {
                    Execute(connection, transaction, "INSERT INTO version_metrics VALUES($m, $v, $n, $val, $dir)", ("$m", version.ModelName), ("$v", number), ("$n", metric.Name), ("$val", metric.Value), ("$dir", (int)metric.Direction));
                }

                foreach (var (key, value) in version.Parameters)
                {
                    Execute(connection, transaction, "INSERT INTO version_parameters VALUES($m, $v, $k, $val)", ("$m", version.ModelName), ("$v", number), ("$k", key), ("$val", value));
                }

                foreach (var dataset in version.Datasets)
                {
                    Execute(connection, transaction, "INSERT OR REPLACE INTO version_datasets VALUES($m, $v, $r, $n, $f, $rows)", ("$m", version.ModelName), ("$v", number), ("$r", dataset.Role), ("$n", dataset.Name), ("$f", dataset.Fingerprint), ("$rows", dataset.Rows));
                }

                foreach (var (key, value) in version.Tags)
                {
                    Execute(connection, transaction, "INSERT INTO version_tags VALUES($m, $v, $k, $val)", ("$m", version.ModelName), ("$v", number), ("$k", key), ("$val", value));
                }

                foreach (var (name, attachment, stored) in attachments)
                {
                    Execute(connection, transaction, "INSERT INTO version_attachments VALUES($m, $v, $n, $f, $file, $sha, $len)", ("$m", version.ModelName), ("$v", number), ("$n", name), ("$f", attachment.Flavor), ("$file", attachment.FileName), ("$sha", stored.Sha256), ("$len", stored.Length));
                }

                if (created)
                {
                    Audit(connection, transaction, new AuditEvent(version.ModelName, "model.created", version.ModelName, version.Actor, now));
                }

                Audit(connection, transaction, new AuditEvent(version.ModelName, "version.registered", $"v{number}", version.Actor, now)
                {
                    To = $"sha256:{reference.Sha256}",
                    Reason = version.Description ?? (version.RunId is null ? null : $"run {version.RunId}"),
                });
                return ReadVersion(connection, transaction, version.ModelName, number)!;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        return ReadVersion(connection, null, modelName, version);
    }

    public async IAsyncEnumerable<ModelVersion> ListVersionsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<ModelVersion> versions = [];
        using (var connection = Open())
        {
            var numbers = new List<int>();
            using (var command = Command(connection, null, "SELECT version FROM versions WHERE model = $m ORDER BY version", ("$m", modelName)))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    numbers.Add(reader.GetInt32(0));
                }
            }

            foreach (var number in numbers)
            {
                versions.Add(ReadVersion(connection, null, modelName, number)!);
            }
        }

        foreach (var version in versions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return version;
        }
    }

    public async ValueTask<ModelVersion?> GetAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        RegistryNames.ThrowIfInvalid(alias, "alias", nameof(alias));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        var number = Scalar(connection, null, "SELECT version FROM aliases WHERE model = $m AND alias = $a", ("$m", modelName), ("$a", alias));
        return number is null ? null : ReadVersion(connection, null, modelName, Convert.ToInt32(number, CultureInfo.InvariantCulture));
    }

    public async ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        RegistryNames.ThrowIfInvalid(change.ModelName, "model name", nameof(change));
        RegistryNames.ThrowIfInvalid(change.Alias, "alias", nameof(change));
        ArgumentException.ThrowIfNullOrWhiteSpace(change.Actor, nameof(change));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return Moved(await WriteAsync(
            (connection, transaction) =>
            {
                var current = CurrentAlias(connection, transaction, change.ModelName, change.Alias);
                if (current != change.ExpectedCurrentVersion)
                {
                    throw new AliasConflictException(change.ModelName, change.Alias, change.ExpectedCurrentVersion, current);
                }

                return MoveAlias(connection, transaction, change.ModelName, change.Alias, current, change.Version, change.Actor, change.Reason, "alias.moved");
            },
            cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<AliasHistoryEntry> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        RegistryNames.ThrowIfInvalid(request.Alias, "alias", nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Actor, nameof(request));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return Moved(await WriteAsync(
            (connection, transaction) =>
            {
                var current = CurrentAlias(connection, transaction, request.ModelName, request.Alias);
                var previous = Scalar(connection, transaction, "SELECT from_version FROM alias_history WHERE model = $m AND alias = $a ORDER BY seq DESC LIMIT 1", ("$m", request.ModelName), ("$a", request.Alias));
                if (current is null || previous is null or DBNull)
                {
                    throw new InvalidOperationException($"Alias '{request.Alias}' of model '{request.ModelName}' has no earlier version to roll back to (it points at {(current is { } c ? "v" + c : "no version")}).");
                }

                var target = Convert.ToInt32(previous, CultureInfo.InvariantCulture);
                return MoveAlias(connection, transaction, request.ModelName, request.Alias, current, target, request.Actor, request.Reason, "alias.rollback");
            },
            cancellationToken).ConfigureAwait(false));
    }

    public event EventHandler<AliasMovedEventArgs>? AliasMoved;

    // Raised after the transaction committed, so a listener that reads the alias sees the move.
    private AliasHistoryEntry Moved(AliasHistoryEntry entry)
    {
        AliasMoved?.Invoke(this, new AliasMovedEventArgs(entry));
        return entry;
    }

    public async IAsyncEnumerable<AliasHistoryEntry> GetAliasHistoryAsync(string modelName, string alias, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        RegistryNames.ThrowIfInvalid(alias, "alias", nameof(alias));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<AliasHistoryEntry> entries = [];
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT seq, from_version, to_version, actor, reason, at FROM alias_history WHERE model = $m AND alias = $a ORDER BY seq", ("$m", modelName), ("$a", alias)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                entries.Add(new AliasHistoryEntry(
                    modelName,
                    alias,
                    reader.IsDBNull(1) ? null : reader.GetInt32(1),
                    reader.IsDBNull(2) ? null : reader.GetInt32(2),
                    reader.GetString(3),
                    reader.GetString(4),
                    Parse(reader.GetString(5)))
                { Sequence = reader.GetInt64(0) });
            }
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    public async IAsyncEnumerable<AuditEvent> GetAuditEventsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<AuditEvent> events = [];
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT seq, action, subject, actor, at, from_value, to_value, reason FROM audit_events WHERE model = $m ORDER BY seq", ("$m", modelName)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                events.Add(new AuditEvent(modelName, reader.GetString(1), reader.GetString(2), reader.GetString(3), Parse(reader.GetString(4)))
                {
                    Sequence = reader.GetInt64(0),
                    From = reader.IsDBNull(5) ? null : reader.GetString(5),
                    To = reader.IsDBNull(6) ? null : reader.GetString(6),
                    Reason = reader.IsDBNull(7) ? null : reader.GetString(7),
                });
            }
        }

        foreach (var audit in events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return audit;
        }
    }

    public async ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        RegistryNames.ThrowIfInvalid(key, "tag key", nameof(key));
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        await WriteAsync<object?>(
            (connection, transaction) =>
            {
                RequireVersion(connection, transaction, modelName, version);
                var old = Scalar(connection, transaction, "SELECT value FROM version_tags WHERE model = $m AND version = $v AND key = $k", ("$m", modelName), ("$v", version), ("$k", key)) as string;
                Execute(connection, transaction, "INSERT OR REPLACE INTO version_tags VALUES($m, $v, $k, $val)", ("$m", modelName), ("$v", version), ("$k", key), ("$val", value));
                Audit(connection, transaction, new AuditEvent(modelName, "tag.set", $"v{version}:{key}", actor, now) { From = old, To = value });
                return null;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ModelArtifact> ReadArtifactAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await _artifacts.GetAsync(version.Artifact, cancellationToken).ConfigureAwait(false);
        return new ModelArtifact(version.Flavor, version.ArtifactFileName, bytes);
    }

    public async ValueTask<ModelArtifact> ReadAttachmentAsync(ModelVersion version, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        var attachment = version.Attachments.FirstOrDefault(a => a.Name == name)
            ?? throw new KeyNotFoundException($"{version} has no attachment named '{name}' (it has: {(version.Attachments.Count == 0 ? "none" : string.Join(", ", version.Attachments.Select(a => a.Name)))}).");
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await _artifacts.GetAsync(attachment.Artifact, cancellationToken).ConfigureAwait(false);
        return new ModelArtifact(attachment.Flavor, attachment.FileName, bytes);
    }

    public async ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            (connection, transaction) =>
            {
                Execute(
                    connection,
                    transaction,
                    "INSERT INTO run_journal(run_id, model, stage, status, at, inputs, outputs, duration_ms) VALUES($r, $m, $s, $st, $at, $in, $out, $d)",
                    ("$r", entry.RunId),
                    ("$m", entry.ModelName),
                    ("$s", entry.Stage.ToString()),
                    ("$st", entry.Status),
                    ("$at", Format(entry.At)),
                    ("$in", entry.InputsFingerprint),
                    ("$out", entry.Outputs),
                    ("$d", entry.Duration.TotalMilliseconds));
                var sequence = (long)Scalar(connection, transaction, "SELECT last_insert_rowid()")!;
                return entry with { Sequence = sequence };
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<RunJournalEntry> entries = [];
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT seq, model, stage, status, at, inputs, outputs, duration_ms FROM run_journal WHERE run_id = $r ORDER BY seq", ("$r", runId)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                entries.Add(new RunJournalEntry(runId, reader.GetString(1), Enum.Parse<RetrainingStage>(reader.GetString(2)), reader.GetString(3), Parse(reader.GetString(4)))
                {
                    Sequence = reader.GetInt64(0),
                    InputsFingerprint = reader.IsDBNull(5) ? null : reader.GetString(5),
                    Outputs = reader.IsDBNull(6) ? null : reader.GetString(6),
                    Duration = TimeSpan.FromMilliseconds(reader.GetDouble(7)),
                });
            }
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    public async IAsyncEnumerable<string> ListRunsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<string> runs = [];
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT run_id FROM run_journal WHERE model = $m GROUP BY run_id ORDER BY MIN(seq)", ("$m", modelName)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                runs.Add(reader.GetString(0));
            }
        }

        foreach (var run in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return run;
        }
    }

    public async ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(
            (connection, transaction) =>
            {
                Execute(connection, transaction, "INSERT OR REPLACE INTO run_checkpoints(run_id, name, content) VALUES($r, $n, $c)", ("$r", runId), ("$n", name), ("$c", content.ToArray()));
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        using var command = Command(connection, null, "SELECT content FROM run_checkpoints WHERE run_id = $r AND name = $n", ("$r", runId), ("$n", name));
        return command.ExecuteScalar() as byte[];
    }

    public async ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(
            (connection, transaction) =>
            {
                Execute(connection, transaction, "DELETE FROM run_checkpoints WHERE run_id = $r", ("$r", runId));
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ApprovalRequest> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var stored = request with { Revision = 1 };
        return await WriteAsync(
            (connection, transaction) =>
            {
                if (Scalar(connection, transaction, "SELECT 1 FROM approval_requests WHERE id = $id", ("$id", request.Id)) is not null)
                {
                    throw new InvalidOperationException($"An approval request '{request.Id}' already exists.");
                }

                Execute(connection, transaction, "INSERT INTO approval_requests VALUES($id, $m, $s, 1, $d)", ("$id", request.Id), ("$m", request.ModelName), ("$s", request.Status.ToString()), ("$d", System.Text.Json.JsonSerializer.Serialize(stored)));
                return stored;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        return Scalar(connection, null, "SELECT document FROM approval_requests WHERE id = $id", ("$id", id)) is string document
            ? System.Text.Json.JsonSerializer.Deserialize<ApprovalRequest>(document)
            : null;
    }

    public async ValueTask<ApprovalRequest> UpdateAsync(ApprovalRequest request, long expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var stored = request with { Revision = expectedRevision + 1 };
        return await WriteAsync(
            (connection, transaction) =>
            {
                var changed = Execute(connection, transaction, "UPDATE approval_requests SET status = $s, revision = $next, document = $d WHERE id = $id AND revision = $expected", ("$s", request.Status.ToString()), ("$next", expectedRevision + 1), ("$d", System.Text.Json.JsonSerializer.Serialize(stored)), ("$id", request.Id), ("$expected", expectedRevision));
                return changed == 1 ? stored : throw new ModelRegistryException($"Approval request '{request.Id}' changed since revision {expectedRevision} (or does not exist); read it again.");
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ApprovalRequest> ListOpenAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var documents = new List<string>();
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT document FROM approval_requests WHERE status IN ('Pending', 'Escalated') ORDER BY id"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                documents.Add(reader.GetString(0));
            }
        }

        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return System.Text.Json.JsonSerializer.Deserialize<ApprovalRequest>(document)!;
        }
    }

    private async ValueTask<ArtifactReference> PutArtifactAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            return await _artifacts.PutAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ModelRegistryException($"Cannot store the artifact of a new version (registry '{_folder}'): {ex.Message}", ex);
        }
    }

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
                Execute(connection, transaction, Schema);
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

    private static bool EnsureModel(SqliteConnection connection, SqliteTransaction transaction, string model, string actor, DateTimeOffset now)
        => Execute(connection, transaction, "INSERT OR IGNORE INTO models(name, created_at, created_by) VALUES($m, $at, $by)", ("$m", model), ("$at", Format(now)), ("$by", actor)) == 1;

    private static int? CurrentAlias(SqliteConnection connection, SqliteTransaction transaction, string model, string alias)
        => Scalar(connection, transaction, "SELECT version FROM aliases WHERE model = $m AND alias = $a", ("$m", model), ("$a", alias)) is { } value and not DBNull
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : null;

    private static void RequireVersion(SqliteConnection connection, SqliteTransaction? transaction, string model, int version)
    {
        if (Scalar(connection, transaction, "SELECT 1 FROM versions WHERE model = $m AND version = $v", ("$m", model), ("$v", version)) is null)
        {
            throw new InvalidOperationException($"Model '{model}' has no version {version}.");
        }
    }

    private AliasHistoryEntry MoveAlias(SqliteConnection connection, SqliteTransaction transaction, string model, string alias, int? from, int? to, string actor, string reason, string action)
    {
        var now = _timeProvider.GetUtcNow();
        if (to is { } target)
        {
            RequireVersion(connection, transaction, model, target);
            Execute(connection, transaction, "INSERT OR REPLACE INTO aliases(model, alias, version) VALUES($m, $a, $v)", ("$m", model), ("$a", alias), ("$v", target));
        }
        else
        {
            Execute(connection, transaction, "DELETE FROM aliases WHERE model = $m AND alias = $a", ("$m", model), ("$a", alias));
        }

        Execute(
            connection,
            transaction,
            "INSERT INTO alias_history(model, alias, from_version, to_version, actor, reason, at) VALUES($m, $a, $f, $t, $by, $why, $at)",
            ("$m", model),
            ("$a", alias),
            ("$f", from),
            ("$t", to),
            ("$by", actor),
            ("$why", reason ?? string.Empty),
            ("$at", Format(now)));
        var sequence = (long)Scalar(connection, transaction, "SELECT last_insert_rowid()")!;
        Audit(connection, transaction, new AuditEvent(model, action, alias, actor, now)
        {
            From = from is { } f ? $"v{f}" : null,
            To = to is { } t ? $"v{t}" : null,
            Reason = reason,
        });
        return new AliasHistoryEntry(model, alias, from, to, actor, reason ?? string.Empty, now) { Sequence = sequence };
    }

    private static void Audit(SqliteConnection connection, SqliteTransaction transaction, AuditEvent audit)
        => Execute(
            connection,
            transaction,
            "INSERT INTO audit_events(model, action, subject, actor, at, from_value, to_value, reason) VALUES($m, $ac, $s, $by, $at, $f, $t, $why)",
            ("$m", audit.ModelName),
            ("$ac", audit.Action),
            ("$s", audit.Subject),
            ("$by", audit.Actor),
            ("$at", Format(audit.At)),
            ("$f", audit.From),
            ("$t", audit.To),
            ("$why", audit.Reason));

    private static ModelVersion? ReadVersion(SqliteConnection connection, SqliteTransaction? transaction, string model, int number)
    {
        ModelVersion version;
        using (var command = Command(connection, transaction, "SELECT artifact_sha256, artifact_length, flavor, file_name, created_at, created_by, parent_version, run_id, description, decision FROM versions WHERE model = $m AND version = $v", ("$m", model), ("$v", number)))
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            version = new ModelVersion(model, number, new ArtifactReference(reader.GetString(0), reader.GetInt64(1)), reader.GetString(2), Parse(reader.GetString(4)), reader.GetString(5))
            {
                ArtifactFileName = reader.GetString(3),
                ParentVersion = reader.IsDBNull(6) ? null : reader.GetInt32(6),
                RunId = reader.IsDBNull(7) ? null : reader.GetString(7),
                Description = reader.IsDBNull(8) ? null : reader.GetString(8),
                Decision = reader.IsDBNull(9) ? null : reader.GetString(9),
            };
        }

        var metrics = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        using (var command = Command(connection, transaction, "SELECT name, value, direction FROM version_metrics WHERE model = $m AND version = $v ORDER BY name", ("$m", model), ("$v", number)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                metrics[reader.GetString(0)] = new MetricValue(reader.GetString(0), reader.GetDouble(1), (MetricDirection)reader.GetInt32(2));
            }
        }

        var parameters = ReadPairs(connection, transaction, "SELECT key, value FROM version_parameters WHERE model = $m AND version = $v ORDER BY key", model, number);
        var tags = ReadPairs(connection, transaction, "SELECT key, value FROM version_tags WHERE model = $m AND version = $v ORDER BY key", model, number);
        var datasets = new List<DatasetReference>();
        using (var command = Command(connection, transaction, "SELECT role, name, fingerprint, rows FROM version_datasets WHERE model = $m AND version = $v ORDER BY role, name", ("$m", model), ("$v", number)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                datasets.Add(new DatasetReference(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }

        var attachments = new List<ModelAttachment>();
        using (var command = Command(connection, transaction, "SELECT name, flavor, file_name, sha256, length FROM version_attachments WHERE model = $m AND version = $v ORDER BY name", ("$m", model), ("$v", number)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                attachments.Add(new ModelAttachment(reader.GetString(0), reader.GetString(1), reader.GetString(2), new ArtifactReference(reader.GetString(3), reader.GetInt64(4))));
            }
        }

        return version with { Metrics = metrics, Parameters = parameters, Tags = tags, Datasets = datasets, Attachments = attachments };
    }

    private static Dictionary<string, string> ReadPairs(SqliteConnection connection, SqliteTransaction? transaction, string sql, string model, int number)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = Command(connection, transaction, sql, ("$m", model), ("$v", number));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            pairs[reader.GetString(0)] = reader.GetString(1);
        }

        return pairs;
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
