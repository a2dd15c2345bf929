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
internal sealed partial class SqliteModelRegistry : IModelRegistry, IRunJournal, IRunRequestStore, IApprovalStore, IAliasMoveSource, IRegistryHealth, IArtifactReferenceSource
{
    private readonly string _folder;
    private readonly string _databasePath;
    private readonly string _connectionString;
    private readonly IArtifactStore _artifacts;
    private readonly TimeProvider _timeProvider;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private readonly Lock _initialization = new();
    private volatile bool _initialized;

    /// <summary>The registry itself for the interfaces it implements, and its artifact store (what garbage collection needs).</summary>
    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : serviceKey is null && serviceType == typeof(IArtifactStore) ? _artifacts
            : null;

    public SqliteModelRegistry(string folder, EmbeddedRegistryOptions options)
    {
        _folder = Path.GetFullPath(folder);
        _databasePath = Path.Combine(_folder, "registry.db");
        _timeProvider = options.TimeProvider;
        _logger = options.Logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _artifacts = options.ArtifactStore ?? new LocalArtifactStore(Path.Combine(_folder, "artifacts"), _timeProvider, _logger);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
            Pooling = true,
        }.ToString();
    }

    public string Folder => _folder;

    public async ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(version);

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
                    Execute(connection, transaction, "INSERT INTO version_metrics VALUES($m, $v, $n, $val, $dir)", ("$m", version.ModelName), ("$v", number), ("$n", metric.Name), ("$val", StoredDouble(metric.Value)), ("$dir", (int)metric.Direction));
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
                    Audit(connection, transaction, new AuditEvent(version.ModelName, AuditActions.ModelCreated, version.ModelName, version.Actor, now));
                }

                Audit(connection, transaction, new AuditEvent(version.ModelName, AuditActions.VersionRegistered, $"v{number}", version.Actor, now)
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
        RegistryRules.ThrowIfInvalidModelName(modelName);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        return ReadVersion(connection, null, modelName, version);
    }

    public async IAsyncEnumerable<ModelVersion> ListVersionsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
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

    public async ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default)
    {
        RegistryRules.ValidateTag(modelName, key, value, actor);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        await WriteAsync<object?>(
            (connection, transaction) =>
            {
                RequireVersion(connection, transaction, modelName, version);
                var old = Scalar(connection, transaction, "SELECT value FROM version_tags WHERE model = $m AND version = $v AND key = $k", ("$m", modelName), ("$v", version), ("$k", key)) as string;
                Execute(connection, transaction, "INSERT OR REPLACE INTO version_tags VALUES($m, $v, $k, $val)", ("$m", modelName), ("$v", version), ("$k", key), ("$val", value));
                Audit(connection, transaction, new AuditEvent(modelName, AuditActions.TagSet, $"v{version}:{key}", actor, now) { From = old, To = value });
                return null;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ModelArtifact> ReadArtifactAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await RegistryRules.ReadArtifactAsync(_artifacts, version, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ModelArtifact> ReadAttachmentAsync(ModelVersion version, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await RegistryRules.ReadAttachmentAsync(_artifacts, version, name, cancellationToken).ConfigureAwait(false);
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

    private static bool EnsureModel(SqliteConnection connection, SqliteTransaction transaction, string model, string actor, DateTimeOffset now)
        => Execute(connection, transaction, "INSERT OR IGNORE INTO models(name, created_at, created_by) VALUES($m, $at, $by)", ("$m", model), ("$at", Format(now)), ("$by", actor)) == 1;

    private static void RequireVersion(SqliteConnection connection, SqliteTransaction? transaction, string model, int version)
    {
        if (Scalar(connection, transaction, "SELECT 1 FROM versions WHERE model = $m AND version = $v", ("$m", model), ("$v", version)) is null)
        {
            throw RegistryRules.NoSuchVersion(model, version);
        }
    }

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
                metrics[reader.GetString(0)] = new MetricValue(reader.GetString(0), ReadDouble(reader, 1), (MetricDirection)reader.GetInt32(2));
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
}
