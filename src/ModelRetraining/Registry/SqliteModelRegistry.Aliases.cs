using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

// Aliases, their history and the audit trail: every alias move writes its history row and its audit event in one transaction.
internal sealed partial class SqliteModelRegistry
{
    public async IAsyncEnumerable<string> ListModelsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var models = new List<string>();
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT name FROM models WHERE last_version > 0 ORDER BY name"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                models.Add(reader.GetString(0));
            }
        }

        foreach (var model in models.Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return model;
        }
    }

    public async IAsyncEnumerable<AliasAssignment> ListAliasesAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var aliases = new List<AliasAssignment>();
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT alias, version FROM aliases WHERE model = $m", ("$m", modelName)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                aliases.Add(new AliasAssignment(modelName, reader.GetString(0), reader.GetInt32(1)));
            }
        }

        foreach (var alias in aliases.OrderBy(a => a.Alias, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return alias;
        }
    }

    public async ValueTask<ModelVersion?> GetAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        RegistryNames.ThrowIfInvalid(alias, "alias", nameof(alias));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        var number = Scalar(connection, null, "SELECT version FROM aliases WHERE model = $m AND alias = $a", ("$m", modelName), ("$a", alias));
        return number is null ? null : ReadVersion(connection, null, modelName, Convert.ToInt32(number, CultureInfo.InvariantCulture));
    }

    public async ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(change);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return Moved(await WriteAsync(
            (connection, transaction) =>
            {
                var current = CurrentAlias(connection, transaction, change.ModelName, change.Alias);
                if (current != change.ExpectedCurrentVersion)
                {
                    throw new AliasConflictException(change.ModelName, change.Alias, change.ExpectedCurrentVersion, current);
                }

                return MoveAlias(connection, transaction, change.ModelName, change.Alias, current, change.Version, change.Actor, change.Reason, AuditActions.AliasMoved);
            },
            cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<AliasHistoryEntry> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(request);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        int? previous;
        using (var connection = Open())
        {
            previous = PreviousOfLatestMove(connection, null, request.ModelName, request.Alias);
        }

        // The target is read back (hashes checked) before the move; the write then re-checks that nothing moved meanwhile.
        var verified = await RegistryRules.VerifyRollbackTargetAsync(this, request, previous, cancellationToken).ConfigureAwait(false);
        return Moved(await WriteAsync(
            (connection, transaction) =>
            {
                var current = CurrentAlias(connection, transaction, request.ModelName, request.Alias);
                var target = RegistryRules.RollbackTarget(request, current, PreviousOfLatestMove(connection, transaction, request.ModelName, request.Alias), verified);
                return MoveAlias(connection, transaction, request.ModelName, request.Alias, current, target, request.Actor, RegistryRules.RollbackReason(request), AuditActions.AliasRolledBack);
            },
            cancellationToken).ConfigureAwait(false));
    }

    private static int? PreviousOfLatestMove(SqliteConnection connection, SqliteTransaction? transaction, string model, string alias)
        => Scalar(connection, transaction, "SELECT from_version FROM alias_history WHERE model = $m AND alias = $a ORDER BY seq DESC LIMIT 1", ("$m", model), ("$a", alias)) is { } value and not DBNull
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : null;

    public event EventHandler<AliasMovedEventArgs>? AliasMoved;

    // Raised after the transaction committed, so a listener that reads the alias sees the move.
    private AliasHistoryEntry Moved(AliasHistoryEntry entry)
    {
        AliasMoveListeners.Raise(this, AliasMoved, entry, ex => Log.AliasListenerFailed(_logger, ex, entry.ModelName, entry.Alias, entry.ToVersion is { } v ? "v" + v.ToString(CultureInfo.InvariantCulture) : "none"));
        return entry;
    }

    public async IAsyncEnumerable<AliasHistoryEntry> GetAliasHistoryAsync(string modelName, string alias, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
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
        RegistryRules.ThrowIfInvalidModelName(modelName);
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

    private static int? CurrentAlias(SqliteConnection connection, SqliteTransaction transaction, string model, string alias)
        => Scalar(connection, transaction, "SELECT version FROM aliases WHERE model = $m AND alias = $a", ("$m", model), ("$a", alias)) is { } value and not DBNull
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : null;

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
}
