using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ModelRetraining.Testing;

// Aliases, their history and the audit trail.
public sealed partial class InMemoryModelRegistry
{
    /// <inheritdoc />
    public ValueTask<ModelVersion?> GetAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        RegistryNames.ThrowIfInvalid(alias, "alias", nameof(alias));
        lock (_gate)
        {
            return ValueTask.FromResult(_aliases.TryGetValue((modelName, alias), out var number) ? _versions[(modelName, number)] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(change);
        cancellationToken.ThrowIfCancellationRequested();
        AliasHistoryEntry entry;
        lock (_gate)
        {
            int? current = _aliases.TryGetValue((change.ModelName, change.Alias), out var c) ? c : null;
            if (current != change.ExpectedCurrentVersion)
            {
                throw new AliasConflictException(change.ModelName, change.Alias, change.ExpectedCurrentVersion, current);
            }

            entry = MoveAlias(change.ModelName, change.Alias, current, change.Version, change.Actor, change.Reason, AuditActions.AliasMoved);
        }

        RaiseAliasMoved(entry);
        return ValueTask.FromResult(entry);
    }

    /// <inheritdoc />
    public event EventHandler<AliasMovedEventArgs>? AliasMoved;

    /// <inheritdoc />
    public async ValueTask<AliasHistoryEntry> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(request);
        cancellationToken.ThrowIfCancellationRequested();
        var verified = await RegistryRules.VerifyRollbackTargetAsync(this, request, PreviousOfLatestMove(request), cancellationToken).ConfigureAwait(false);
        AliasHistoryEntry entry;
        lock (_gate)
        {
            int? current = _aliases.TryGetValue((request.ModelName, request.Alias), out var c) ? c : null;
            var previous = RegistryRules.RollbackTarget(request, current, PreviousOfLatestMove(request), verified);
            entry = MoveAlias(request.ModelName, request.Alias, current, previous, request.Actor, RegistryRules.RollbackReason(request), AuditActions.AliasRolledBack);
        }

        RaiseAliasMoved(entry);
        return entry;
    }

    private int? PreviousOfLatestMove(RollbackRequest request)
    {
        lock (_gate)
        {
            return _aliasHistory.LastOrDefault(h => h.ModelName == request.ModelName && h.Alias == request.Alias)?.FromVersion;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AliasHistoryEntry> GetAliasHistoryAsync(string modelName, string alias, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
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
        RegistryRules.ThrowIfInvalidModelName(modelName);
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
    public async IAsyncEnumerable<AliasAssignment> ListAliasesAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        AliasAssignment[] aliases;
        lock (_gate)
        {
            aliases = _aliases.Where(a => a.Key.Model == modelName).Select(a => new AliasAssignment(modelName, a.Key.Alias, a.Value)).OrderBy(a => a.Alias, StringComparer.Ordinal).ToArray();
        }

        foreach (var alias in aliases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return alias;
        }
    }

    private AliasHistoryEntry MoveAlias(string model, string alias, int? from, int? to, string actor, string reason, string action)
    {
        var now = _timeProvider.GetUtcNow();
        if (to is { } target)
        {
            if (!_versions.ContainsKey((model, target)))
            {
                throw RegistryRules.NoSuchVersion(model, target);
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

    private void RaiseAliasMoved(AliasHistoryEntry entry)
        => AliasMoveListeners.Raise(this, AliasMoved, entry, ex =>
        {
            lock (_gate)
            {
                _listenerFailures.Add(ex);
            }
        });

    private void AddAudit(AuditEvent audit) => _audit.Add(audit with { Sequence = ++_sequence });
}
