using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;

namespace ModelRetraining.PostgreSql;

// Aliases, their history and the audit trail: a move locks the model's row, compares the expected version,
// writes the alias, its history row and its audit event, and queues a notification, all in one
// transaction; PostgreSQL delivers the notification only if the transaction commits.
internal sealed partial class PostgreSqlModelRegistry
{
    public async IAsyncEnumerable<string> ListModelsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var models = await QueryAsync("SELECT name FROM models WHERE last_version > 0", r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        foreach (var model in models.Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return model;
        }
    }

    public async IAsyncEnumerable<AliasAssignment> ListAliasesAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        var aliases = await QueryAsync("SELECT alias, version FROM aliases WHERE model = @m", r => new AliasAssignment(modelName, r.GetString(0), r.GetInt32(1)), cancellationToken, ("m", modelName)).ConfigureAwait(false);
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
        return await ReadAsync((connection, ct) => ReadVersionByAliasAsync(connection, modelName, alias, ct), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(change);
        return Moved(await WriteAsync(
            async (connection, transaction, ct) =>
            {
                await LockModelAsync(connection, transaction, change.ModelName, ct).ConfigureAwait(false);
                var current = await CurrentAliasAsync(connection, transaction, change.ModelName, change.Alias, ct).ConfigureAwait(false);
                if (current != change.ExpectedCurrentVersion)
                {
                    throw new AliasConflictException(change.ModelName, change.Alias, change.ExpectedCurrentVersion, current);
                }

                return await MoveAliasAsync(connection, transaction, change.ModelName, change.Alias, current, change.Version, change.Actor, change.Reason, AuditActions.AliasMoved, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<AliasHistoryEntry> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(request);
        var previous = await ReadAsync((connection, ct) => PreviousOfLatestMoveAsync(connection, null, request.ModelName, request.Alias, ct), cancellationToken).ConfigureAwait(false);

        // The target is read back (hashes checked) before the move; the write then re-checks that nothing moved meanwhile.
        var verified = await RegistryRules.VerifyRollbackTargetAsync(this, request, previous, cancellationToken).ConfigureAwait(false);
        return Moved(await WriteAsync(
            async (connection, transaction, ct) =>
            {
                await LockModelAsync(connection, transaction, request.ModelName, ct).ConfigureAwait(false);
                var current = await CurrentAliasAsync(connection, transaction, request.ModelName, request.Alias, ct).ConfigureAwait(false);
                var target = RegistryRules.RollbackTarget(request, current, await PreviousOfLatestMoveAsync(connection, transaction, request.ModelName, request.Alias, ct).ConfigureAwait(false), verified);
                return await MoveAliasAsync(connection, transaction, request.ModelName, request.Alias, current, target, request.Actor, RegistryRules.RollbackReason(request), AuditActions.AliasRolledBack, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false));
    }

    public async IAsyncEnumerable<AliasHistoryEntry> GetAliasHistoryAsync(string modelName, string alias, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        RegistryNames.ThrowIfInvalid(alias, "alias", nameof(alias));
        var entries = await ReadAsync(
            (connection, ct) => ReadHistoryAsync(connection, "model = @m AND alias = @a", ct, ("m", modelName), ("a", alias)),
            cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    public async IAsyncEnumerable<AuditEvent> GetAuditEventsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        var events = await QueryAsync(
            "SELECT seq, action, subject, actor, at, from_value, to_value, reason FROM audit_events WHERE model = @m ORDER BY seq",
            r => new AuditEvent(modelName, r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4))
            {
                Sequence = r.GetInt64(0),
                From = r.IsDBNull(5) ? null : r.GetString(5),
                To = r.IsDBNull(6) ? null : r.GetString(6),
                Reason = r.IsDBNull(7) ? null : r.GetString(7),
            },
            cancellationToken,
            ("m", modelName)).ConfigureAwait(false);
        foreach (var audit in events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return audit;
        }
    }

    private static Task<List<AliasHistoryEntry>> ReadHistoryAsync(NpgsqlConnection connection, string where, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        => QueryAsync(
            connection,
            null,
            $"SELECT seq, model, alias, from_version, to_version, actor, reason, at FROM alias_history WHERE {where} ORDER BY seq",
            r => new AliasHistoryEntry(r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3), r.IsDBNull(4) ? null : r.GetInt32(4), r.GetString(5), r.GetString(6), r.GetFieldValue<DateTimeOffset>(7)) { Sequence = r.GetInt64(0) },
            cancellationToken,
            parameters);

    private static async Task<int?> PreviousOfLatestMoveAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, string alias, CancellationToken cancellationToken)
        => await ScalarAsync(connection, transaction, "SELECT from_version FROM alias_history WHERE model = @m AND alias = @a ORDER BY seq DESC LIMIT 1", cancellationToken, ("m", model), ("a", alias)).ConfigureAwait(false) is int value
            ? value
            : null;

    private static async Task<int?> CurrentAliasAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string model, string alias, CancellationToken cancellationToken)
        => await ScalarAsync(connection, transaction, "SELECT version FROM aliases WHERE model = @m AND alias = @a", cancellationToken, ("m", model), ("a", alias)).ConfigureAwait(false) is int value
            ? value
            : null;

    private async Task<AliasHistoryEntry> MoveAliasAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string model, string alias, int? from, int? to, string actor, string reason, string action, CancellationToken cancellationToken)
    {
        var now = Now();
        if (to is { } target)
        {
            await RequireVersionAsync(connection, transaction, model, target, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "INSERT INTO aliases(model, alias, version) VALUES(@m, @a, @v) ON CONFLICT (model, alias) DO UPDATE SET version = EXCLUDED.version", cancellationToken, ("m", model), ("a", alias), ("v", target)).ConfigureAwait(false);
        }
        else
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM aliases WHERE model = @m AND alias = @a", cancellationToken, ("m", model), ("a", alias)).ConfigureAwait(false);
        }

        var sequence = (long)(await ScalarAsync(
            connection,
            transaction,
            "INSERT INTO alias_history(model, alias, from_version, to_version, actor, reason, at) VALUES(@m, @a, @f, @t, @by, @why, @at) RETURNING seq",
            cancellationToken,
            ("m", model),
            ("a", alias),
            ("f", from),
            ("t", to),
            ("by", actor),
            ("why", reason ?? string.Empty),
            ("at", now)).ConfigureAwait(false))!;
        var batch = new NpgsqlBatch(connection, transaction);
        await using var batchScope = batch.ConfigureAwait(false);
        AddAudit(batch, new AuditEvent(model, action, alias, actor, now)
        {
            From = from is { } f ? $"v{f}" : null,
            To = to is { } t ? $"v{t}" : null,
            Reason = reason,
        });

        // Delivered to every listening node when (and only if) this transaction commits.
        Add(batch, "SELECT pg_notify(@channel, @payload)", ("channel", PostgreSqlSchema.AliasChannel(_schema)), ("payload", NotificationPayload(sequence)));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new AliasHistoryEntry(model, alias, from, to, actor, reason ?? string.Empty, now) { Sequence = sequence };
    }

    private static void AddAudit(NpgsqlBatch batch, AuditEvent audit)
        => Add(
            batch,
            "INSERT INTO audit_events(model, action, subject, actor, at, from_value, to_value, reason) VALUES(@m, @ac, @s, @by, @at, @f, @t, @why)",
            ("m", audit.ModelName),
            ("ac", audit.Action),
            ("s", audit.Subject),
            ("by", audit.Actor),
            ("at", audit.At),
            ("f", audit.From),
            ("t", audit.To),
            ("why", audit.Reason));

    private string NotificationPayload(long sequence) => NodeId + ":" + sequence.ToString(CultureInfo.InvariantCulture);
}
