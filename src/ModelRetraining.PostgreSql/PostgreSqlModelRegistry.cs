using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ModelRetraining.PostgreSql;

/// <summary>
/// The registry for many nodes: metadata, journal, approvals and (by default) artifacts in one PostgreSQL
/// schema. Every write is one transaction; writes that must not interleave for a model (registration,
/// alias moves, tags) lock the model's row first, so two nodes promoting at once are serialized by the
/// database and exactly one wins the compare of the expected version.
/// </summary>
internal sealed partial class PostgreSqlModelRegistry : IModelRegistry, IRunJournal, IRunRequestStore, IApprovalStore, IAliasMoveSource, IRegistryHealth, IArtifactReferenceSource, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;
    private readonly string _schema;
    private readonly string _describe;
    private readonly IArtifactStore _artifacts;
    private readonly PostgreSqlArtifactStore? _ownArtifacts;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly PostgreSqlRegistryOptions _options;
    private readonly SemaphoreSlim _initialization = new(1, 1);
    private volatile bool _initialized;

    public PostgreSqlModelRegistry(string connectionString, PostgreSqlRegistryOptions options)
    {
        _options = options;
        _schema = options.Schema;
        _timeProvider = options.TimeProvider;
        _logger = options.Logger ?? NullLogger.Instance;
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = PostgreSqlSchema.Quote(options.Schema) };

        // The registry sends the same few statements all day: prepared once per connection, they skip
        // PostgreSQL's parse and plan (2.2x the reads per second on the test machine). A connection string that sets it wins.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        _connectionString = builder.ConnectionString;
        _describe = Describe(builder, options.Schema);
        _dataSource = NpgsqlDataSource.Create(builder);
        _ownArtifacts = options.ArtifactStore is null ? new PostgreSqlArtifactStore(_dataSource, _describe, _timeProvider, EnsureInitializedAsync) : null;
        _artifacts = options.ArtifactStore ?? _ownArtifacts!;
        NodeId = Guid.NewGuid().ToString("N");
    }

    /// <summary>Gets this registry instance's id in alias-move notifications, so it does not raise its own moves twice.</summary>
    private string NodeId { get; }

    public async ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(version);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // With another artifact store the bytes go first: a crash after them leaves unreferenced blobs, never
        // a version without bytes. With the registry's own table they commit in the version's transaction.
        var external = new List<ArtifactReference>();
        if (_ownArtifacts is null)
        {
            external.Add(await _artifacts.PutAsync(version.Artifact.Content, cancellationToken).ConfigureAwait(false));
            foreach (var (_, attachment) in version.Attachments)
            {
                external.Add(await _artifacts.PutAsync(attachment.Content, cancellationToken).ConfigureAwait(false));
            }
        }

        var now = Now();
        return await WriteAsync(
            async (connection, transaction, ct) =>
            {
                var references = _ownArtifacts is null ? external : await PutOwnArtifactsAsync(connection, transaction, version, now, ct).ConfigureAwait(false);
                var created = await ExecuteAsync(connection, transaction, "INSERT INTO models(name, created_at, created_by) VALUES(@m, @at, @by) ON CONFLICT (name) DO NOTHING", ct, ("m", version.ModelName), ("at", now), ("by", version.Actor)).ConfigureAwait(false) == 1;

                // The update locks the model's row: concurrent registrations of one model number one after another.
                var number = (int)(await ScalarAsync(connection, transaction, "UPDATE models SET last_version = last_version + 1 WHERE name = @m RETURNING last_version", ct, ("m", version.ModelName)).ConfigureAwait(false))!;
                var batch = new NpgsqlBatch(connection, transaction);
                await using var batchScope = batch.ConfigureAwait(false);
                Add(
                    batch,
                    """
                    INSERT INTO versions(model, version, artifact_sha256, artifact_length, flavor, file_name, created_at, created_by, parent_version, run_id, description, decision)
                    VALUES(@m, @v, @sha, @len, @flavor, @file, @at, @by, @parent, @run, @desc, @decision)
                    """,
                    ("m", version.ModelName),
                    ("v", number),
                    ("sha", references[0].Sha256),
                    ("len", references[0].Length),
                    ("flavor", version.Artifact.Flavor),
                    ("file", version.Artifact.FileName),
                    ("at", now),
                    ("by", version.Actor),
                    ("parent", version.ParentVersion),
                    ("run", version.RunId),
                    ("desc", version.Description),
                    ("decision", version.Decision));
                foreach (var metric in version.Metrics.Values)
                {
                    Add(batch, "INSERT INTO version_metrics VALUES(@m, @v, @n, @val, @dir)", ("m", version.ModelName), ("v", number), ("n", metric.Name), ("val", metric.Value), ("dir", (int)metric.Direction));
                }

                foreach (var (key, value) in version.Parameters)
                {
                    Add(batch, "INSERT INTO version_parameters VALUES(@m, @v, @k, @val)", ("m", version.ModelName), ("v", number), ("k", key), ("val", value));
                }

                foreach (var dataset in version.Datasets)
                {
                    Add(batch, "INSERT INTO version_datasets VALUES(@m, @v, @r, @n, @f, @rows) ON CONFLICT (model, version, role, name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, rows = EXCLUDED.rows", ("m", version.ModelName), ("v", number), ("r", dataset.Role), ("n", dataset.Name), ("f", dataset.Fingerprint), ("rows", dataset.Rows));
                }

                foreach (var (key, value) in version.Tags)
                {
                    Add(batch, "INSERT INTO version_tags VALUES(@m, @v, @k, @val)", ("m", version.ModelName), ("v", number), ("k", key), ("val", value));
                }

                var index = 1;
                foreach (var (name, attachment) in version.Attachments)
                {
                    var stored = references[index++];
                    Add(batch, "INSERT INTO version_attachments VALUES(@m, @v, @n, @f, @file, @sha, @len)", ("m", version.ModelName), ("v", number), ("n", name), ("f", attachment.Flavor), ("file", attachment.FileName), ("sha", stored.Sha256), ("len", stored.Length));
                }

                if (created)
                {
                    AddAudit(batch, new AuditEvent(version.ModelName, AuditActions.ModelCreated, version.ModelName, version.Actor, now));
                }

                AddAudit(batch, new AuditEvent(version.ModelName, AuditActions.VersionRegistered, $"v{number}", version.Actor, now)
                {
                    To = $"sha256:{references[0].Sha256}",
                    Reason = version.Description ?? (version.RunId is null ? null : $"run {version.RunId}"),
                });
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return (await ReadVersionAsync(connection, transaction, version.ModelName, number, ct).ConfigureAwait(false))!;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        return await ReadAsync((connection, ct) => ReadVersionAsync(connection, null, modelName, version, ct), cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ModelVersion> ListVersionsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        var versions = await QueryAsync($"{VersionColumns} WHERE v.model = @m ORDER BY v.version", r => ReadVersion(r, modelName), cancellationToken, ("m", modelName)).ConfigureAwait(false);
        foreach (var version in versions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return version;
        }
    }

    public async ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default)
    {
        RegistryRules.ValidateTag(modelName, key, value, actor);
        var now = Now();
        await WriteAsync<bool>(
            async (connection, transaction, ct) =>
            {
                await LockModelAsync(connection, transaction, modelName, ct).ConfigureAwait(false);
                await RequireVersionAsync(connection, transaction, modelName, version, ct).ConfigureAwait(false);
                var old = await ScalarAsync(connection, transaction, "SELECT value FROM version_tags WHERE model = @m AND version = @v AND key = @k", ct, ("m", modelName), ("v", version), ("k", key)).ConfigureAwait(false) as string;
                var batch = new NpgsqlBatch(connection, transaction);
                await using var batchScope = batch.ConfigureAwait(false);
                Add(batch, "INSERT INTO version_tags VALUES(@m, @v, @k, @val) ON CONFLICT (model, version, key) DO UPDATE SET value = EXCLUDED.value", ("m", modelName), ("v", version), ("k", key), ("val", value));
                AddAudit(batch, new AuditEvent(modelName, AuditActions.TagSet, $"v{version}:{key}", actor, now) { From = old, To = value });
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return true;
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

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : serviceKey is null && serviceType == typeof(IArtifactStore) ? _artifacts
            : null;

    // Blobs are inserted in hash order: two registrations sharing blobs wait on each other's inserts in the
    // same order, so they queue instead of deadlocking.
    private static async Task<List<ArtifactReference>> PutOwnArtifactsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewModelVersion version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var contents = new List<ReadOnlyMemory<byte>> { version.Artifact.Content };
        contents.AddRange(version.Attachments.Select(a => a.Value.Content));
        var references = contents.Select(PostgreSqlArtifactStore.Address).ToList();
        foreach (var i in Enumerable.Range(0, contents.Count).OrderBy(i => references[i].Sha256, StringComparer.Ordinal))
        {
            await PostgreSqlArtifactStore.PutAsync(connection, transaction, contents[i], now, cancellationToken).ConfigureAwait(false);
        }

        return references;
    }

    private static async Task LockModelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string model, CancellationToken cancellationToken)
        => await ExecuteAsync(connection, transaction, "SELECT 1 FROM models WHERE name = @m FOR UPDATE", cancellationToken, ("m", model)).ConfigureAwait(false);

    private static async Task RequireVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, int version, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(connection, transaction, "SELECT 1 FROM versions WHERE model = @m AND version = @v", cancellationToken, ("m", model), ("v", version)).ConfigureAwait(false) is null)
        {
            throw RegistryRules.NoSuchVersion(model, version);
        }
    }
}
