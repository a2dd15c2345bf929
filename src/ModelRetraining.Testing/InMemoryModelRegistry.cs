using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ModelRetraining.Testing;

/// <summary>
/// A registry in memory with the same semantics as the embedded one (it passes the same conformance
/// suite): monotonic versions, optimistic alias moves, alias history, audit events, a run journal and
/// hash-verified artifacts. For unit tests of code around the registry.
/// </summary>
public sealed partial class InMemoryModelRegistry : IModelRegistry, IRunJournal, IRunRequestStore, IApprovalStore, IAliasMoveSource
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, int> _lastVersion = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Model, int Version), ModelVersion> _versions = [];
    private readonly Dictionary<(string Model, string Alias), int> _aliases = [];
    private readonly List<AliasHistoryEntry> _aliasHistory = [];
    private readonly List<AuditEvent> _audit = [];
    private readonly List<RunJournalEntry> _journal = [];
    private readonly Dictionary<(string RunId, string Name), byte[]> _checkpoints = [];
    private readonly Dictionary<string, byte[]> _artifacts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApprovalRequest> _approvals = new(StringComparer.Ordinal);
    private readonly List<Exception> _listenerFailures = [];
    private readonly Dictionary<string, RunClaim> _claims = new(StringComparer.Ordinal);
    private readonly List<RunRequest> _requests = [];
    private long _sequence;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryModelRegistry(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets what alias-move listeners threw: kept here instead of being thrown into the writer, as every backend does.</summary>
    public IReadOnlyList<Exception> ListenerFailures
    {
        get
        {
            lock (_gate)
            {
                return [.. _listenerFailures];
            }
        }
    }

    /// <summary>Replaces the stored bytes of an artifact, to test that reads detect the change.</summary>
    /// <param name="reference">The artifact.</param>
    /// <param name="bytes">The new bytes.</param>
    public void TamperWithArtifact(ArtifactReference reference, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(bytes);
        lock (_gate)
        {
            _artifacts[reference.Sha256] = bytes;
        }
    }

    /// <inheritdoc />
    public ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(version);

        cancellationToken.ThrowIfCancellationRequested();
        var bytes = version.Artifact.Content.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            _artifacts.TryAdd(sha, bytes);
            var attachments = new List<ModelAttachment>();
            foreach (var (name, attachment) in version.Attachments.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                var content = attachment.Content.ToArray();
                var hash = Convert.ToHexStringLower(SHA256.HashData(content));
                _artifacts.TryAdd(hash, content);
                attachments.Add(new ModelAttachment(name, attachment.Flavor, attachment.FileName, new ArtifactReference(hash, content.Length)));
            }

            var created = !_lastVersion.ContainsKey(version.ModelName);
            var number = _lastVersion.GetValueOrDefault(version.ModelName) + 1;
            _lastVersion[version.ModelName] = number;
            var registered = new ModelVersion(version.ModelName, number, new ArtifactReference(sha, bytes.Length), version.Artifact.Flavor, now, version.Actor)
            {
                ArtifactFileName = version.Artifact.FileName,
                ParentVersion = version.ParentVersion,
                RunId = version.RunId,
                Description = version.Description,
                Metrics = new Dictionary<string, MetricValue>(version.Metrics, StringComparer.Ordinal),
                Parameters = new Dictionary<string, string>(version.Parameters, StringComparer.Ordinal),
                Datasets = version.Datasets.ToArray(),
                Tags = new Dictionary<string, string>(version.Tags, StringComparer.Ordinal),
                Decision = version.Decision,
                Attachments = attachments,
            };
            _versions[(version.ModelName, number)] = registered;
            if (created)
            {
                AddAudit(new AuditEvent(version.ModelName, AuditActions.ModelCreated, version.ModelName, version.Actor, now));
            }

            AddAudit(new AuditEvent(version.ModelName, AuditActions.VersionRegistered, $"v{number}", version.Actor, now)
            {
                To = $"sha256:{sha}",
                Reason = version.Description ?? (version.RunId is null ? null : $"run {version.RunId}"),
            });
            return ValueTask.FromResult(registered);
        }
    }

    /// <inheritdoc />
    public ValueTask<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        lock (_gate)
        {
            return ValueTask.FromResult(_versions.GetValueOrDefault((modelName, version)));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ModelVersion> ListVersionsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        ModelVersion[] versions;
        lock (_gate)
        {
            versions = _versions.Values.Where(v => v.ModelName == modelName).OrderBy(v => v.Version).ToArray();
        }

        foreach (var version in versions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return version;
        }
    }

    /// <inheritdoc />
    public ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default)
    {
        RegistryRules.ValidateTag(modelName, key, value, actor);
        lock (_gate)
        {
            var existing = _versions.GetValueOrDefault((modelName, version))
                ?? throw RegistryRules.NoSuchVersion(modelName, version);
            var tags = new Dictionary<string, string>(existing.Tags, StringComparer.Ordinal);
            var old = tags.GetValueOrDefault(key);
            tags[key] = value;
            _versions[(modelName, version)] = existing with { Tags = tags };
            AddAudit(new AuditEvent(modelName, AuditActions.TagSet, $"v{version}:{key}", actor, _timeProvider.GetUtcNow()) { From = old, To = value });
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ModelArtifact> ReadArtifactAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        return ValueTask.FromResult(new ModelArtifact(version.Flavor, version.ArtifactFileName, ReadBytes(version.Artifact, $"the artifact of {version}")));
    }

    private byte[] ReadBytes(ArtifactReference reference, string what)
    {
        byte[]? bytes;
        lock (_gate)
        {
            bytes = _artifacts.GetValueOrDefault(reference.Sha256);
        }

        if (bytes is null)
        {
            throw new ArtifactIntegrityException($"Artifact sha256:{reference.Sha256} ({what}) is missing from the in-memory store.");
        }

        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != reference.Sha256)
        {
            throw new ArtifactIntegrityException($"Artifact sha256:{reference.Sha256} ({what}) does not match its address: found {actual}.");
        }

        return bytes.ToArray();
    }

    /// <inheritdoc />
    public ValueTask<ModelArtifact> ReadAttachmentAsync(ModelVersion version, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        var attachment = version.Attachments.FirstOrDefault(a => a.Name == name)
            ?? throw RegistryRules.NoSuchAttachment(version, name);
        var artifact = ReadBytes(attachment.Artifact, $"attachment '{name}' of {version}");
        return ValueTask.FromResult(new ModelArtifact(attachment.Flavor, attachment.FileName, artifact));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListModelsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string[] models;
        lock (_gate)
        {
            models = _lastVersion.Where(m => m.Value > 0).Select(m => m.Key).Order(StringComparer.Ordinal).ToArray();
        }

        foreach (var model in models)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return model;
        }
    }
}
