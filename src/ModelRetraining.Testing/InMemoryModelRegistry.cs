using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ModelRetraining.Testing;

/// <summary>
/// A registry in memory with the same semantics as the embedded one (it passes the same conformance
/// suite): monotonic versions, optimistic alias moves, alias history, audit events, a run journal and
/// hash-verified artifacts. For unit tests of code around the registry.
/// </summary>
public sealed class InMemoryModelRegistry : IModelRegistry, IRunJournal, IApprovalStore, IAliasMoveSource
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
    private long _sequence;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryModelRegistry(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public IRunJournal Journal => this;

    /// <inheritdoc />
    public IApprovalStore Approvals => this;

    /// <inheritdoc />
    public ValueTask<ApprovalRequest> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        lock (_gate)
        {
            if (_approvals.ContainsKey(request.Id))
            {
                throw new InvalidOperationException($"An approval request '{request.Id}' already exists.");
            }

            var stored = request with { Revision = 1 };
            _approvals[request.Id] = stored;
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_approvals.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<ApprovalRequest> UpdateAsync(ApprovalRequest request, long expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (!_approvals.TryGetValue(request.Id, out var current) || current.Revision != expectedRevision)
            {
                throw new ModelRegistryException($"Approval request '{request.Id}' changed since revision {expectedRevision} (or does not exist); read it again.");
            }

            var stored = request with { Revision = expectedRevision + 1 };
            _approvals[request.Id] = stored;
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ApprovalRequest> ListOpenAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ApprovalRequest[] open;
        lock (_gate)
        {
            open = _approvals.Values.Where(a => a.Status is ApprovalStatus.Pending or ApprovalStatus.Escalated).OrderBy(a => a.Id, StringComparer.Ordinal).ToArray();
        }

        foreach (var request in open)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return request;
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
                AddAudit(new AuditEvent(version.ModelName, "model.created", version.ModelName, version.Actor, now));
            }

            AddAudit(new AuditEvent(version.ModelName, "version.registered", $"v{number}", version.Actor, now)
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
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        lock (_gate)
        {
            return ValueTask.FromResult(_versions.GetValueOrDefault((modelName, version)));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ModelVersion> ListVersionsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
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
    public ValueTask<ModelVersion?> GetAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        RegistryNames.ThrowIfInvalid(alias, "alias", nameof(alias));
        lock (_gate)
        {
            return ValueTask.FromResult(_aliases.TryGetValue((modelName, alias), out var number) ? _versions[(modelName, number)] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        RegistryNames.ThrowIfInvalid(change.ModelName, "model name", nameof(change));
        RegistryNames.ThrowIfInvalid(change.Alias, "alias", nameof(change));
        ArgumentException.ThrowIfNullOrWhiteSpace(change.Actor, nameof(change));
        cancellationToken.ThrowIfCancellationRequested();
        AliasHistoryEntry entry;
        lock (_gate)
        {
            int? current = _aliases.TryGetValue((change.ModelName, change.Alias), out var c) ? c : null;
            if (current != change.ExpectedCurrentVersion)
            {
                throw new AliasConflictException(change.ModelName, change.Alias, change.ExpectedCurrentVersion, current);
            }

            entry = MoveAlias(change.ModelName, change.Alias, current, change.Version, change.Actor, change.Reason, "alias.moved");
        }

        AliasMoved?.Invoke(this, new AliasMovedEventArgs(entry));
        return ValueTask.FromResult(entry);
    }

    /// <inheritdoc />
    public event EventHandler<AliasMovedEventArgs>? AliasMoved;

    /// <inheritdoc />
    public ValueTask<AliasHistoryEntry> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        RegistryNames.ThrowIfInvalid(request.Alias, "alias", nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Actor, nameof(request));
        cancellationToken.ThrowIfCancellationRequested();
        AliasHistoryEntry entry;
        lock (_gate)
        {
            int? current = _aliases.TryGetValue((request.ModelName, request.Alias), out var c) ? c : null;
            var last = _aliasHistory.LastOrDefault(h => h.ModelName == request.ModelName && h.Alias == request.Alias);
            if (current is null || last?.FromVersion is not { } previous)
            {
                throw new InvalidOperationException($"Alias '{request.Alias}' of model '{request.ModelName}' has no earlier version to roll back to (it points at {(current is { } v ? "v" + v : "no version")}).");
            }

            entry = MoveAlias(request.ModelName, request.Alias, current, previous, request.Actor, request.Reason, "alias.rollback");
        }

        AliasMoved?.Invoke(this, new AliasMovedEventArgs(entry));
        return ValueTask.FromResult(entry);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AliasHistoryEntry> GetAliasHistoryAsync(string modelName, string alias, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        RegistryNames.ThrowIfInvalid(alias, "alias", nameof(alias));
        AliasHistoryEntry[] entries;
        lock (_gate)
        {
            entries = _aliasHistory.Where(h => h.ModelName == modelName && h.Alias == alias).ToArray();
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return entry;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEvent> GetAuditEventsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        AuditEvent[] events;
        lock (_gate)
        {
            events = _audit.Where(a => a.ModelName == modelName).ToArray();
        }

        foreach (var audit in events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return audit;
        }
    }

    /// <inheritdoc />
    public ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        RegistryNames.ThrowIfInvalid(key, "tag key", nameof(key));
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        lock (_gate)
        {
            var existing = _versions.GetValueOrDefault((modelName, version))
                ?? throw new InvalidOperationException($"Model '{modelName}' has no version {version}.");
            var tags = new Dictionary<string, string>(existing.Tags, StringComparer.Ordinal);
            var old = tags.GetValueOrDefault(key);
            tags[key] = value;
            _versions[(modelName, version)] = existing with { Tags = tags };
            AddAudit(new AuditEvent(modelName, "tag.set", $"v{version}:{key}", actor, _timeProvider.GetUtcNow()) { From = old, To = value });
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
            ?? throw new KeyNotFoundException($"{version} has no attachment named '{name}'.");
        var artifact = ReadBytes(attachment.Artifact, $"attachment '{name}' of {version}");
        return ValueTask.FromResult(new ModelArtifact(attachment.Flavor, attachment.FileName, artifact));
    }

    /// <inheritdoc />
    public ValueTask<RunJournalEntry> AppendAsync(RunJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            var stored = entry with { Sequence = ++_sequence };
            _journal.Add(stored);
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListRunsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        string[] runs;
        lock (_gate)
        {
            runs = _journal.Where(j => j.ModelName == modelName).Select(j => j.RunId).Distinct().ToArray();
        }

        foreach (var run in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return run;
        }
    }

    /// <inheritdoc />
    public ValueTask SaveCheckpointAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            _checkpoints[(runId, name)] = content.ToArray();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadCheckpointAsync(string runId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return ValueTask.FromResult(_checkpoints.TryGetValue((runId, name), out var bytes) ? (byte[]?)bytes.ToArray() : null);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteCheckpointsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        lock (_gate)
        {
            foreach (var key in _checkpoints.Keys.Where(k => k.RunId == runId).ToArray())
            {
                _checkpoints.Remove(key);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RunJournalEntry> ReadRunAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        RunJournalEntry[] entries;
        lock (_gate)
        {
            entries = _journal.Where(j => j.RunId == runId).ToArray();
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return entry;
        }
    }

    private AliasHistoryEntry MoveAlias(string model, string alias, int? from, int? to, string actor, string reason, string action)
    {
        var now = _timeProvider.GetUtcNow();
        if (to is { } target)
        {
            if (!_versions.ContainsKey((model, target)))
            {
                throw new InvalidOperationException($"Model '{model}' has no version {target}.");
            }

            _aliases[(model, alias)] = target;
        }
        else
        {
            _aliases.Remove((model, alias));
        }

        var entry = new AliasHistoryEntry(model, alias, from, to, actor, reason ?? string.Empty, now) { Sequence = ++_sequence };
        _aliasHistory.Add(entry);
        AddAudit(new AuditEvent(model, action, alias, actor, now)
        {
            From = from is { } f ? $"v{f}" : null,
            To = to is { } t ? $"v{t}" : null,
            Reason = reason,
        });
        return entry;
    }

    private void AddAudit(AuditEvent audit) => _audit.Add(audit with { Sequence = ++_sequence });
}
