using System.Runtime.CompilerServices;
using Npgsql;

namespace ModelRetraining.PostgreSql;

/// <summary>Requests about runs (cancel, resume): one open per run and kind (a partial unique index), audited in the same transaction.</summary>
internal sealed partial class PostgreSqlModelRegistry
{
    private const string RequestColumns = "run_id, model, kind, actor, reason, at, closed_at, outcome";

    public async ValueTask<RunRequest> RequestAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(request);
        request = request with { At = Microseconds(request.At), ClosedAt = null, Outcome = null };
        return await WriteAsync(
            async (connection, transaction, ct) =>
            {
                // Of two operators asking at once, one inserts; the other finds the open request.
                const string Sql = """
                    INSERT INTO run_requests(run_id, model, kind, actor, reason, at) VALUES(@r, @m, @k, @a, @why, @at)
                    ON CONFLICT (run_id, kind) WHERE closed_at IS NULL DO NOTHING
                    RETURNING seq
                    """;
                // The open one may be closed between the two statements (each reads its own snapshot): then insert again.
                for (var attempt = 1; ; attempt++)
                {
                    if (await ScalarAsync(connection, transaction, Sql, ct, ("r", request.RunId), ("m", request.ModelName), ("k", request.Kind.ToString()), ("a", request.Actor), ("why", request.Reason), ("at", request.At)).ConfigureAwait(false) is not null)
                    {
                        break;
                    }

                    var open = await ReadRequestsAsync(connection, transaction, $"SELECT {RequestColumns} FROM run_requests WHERE run_id = @r AND kind = @k AND closed_at IS NULL", ct, ("r", request.RunId), ("k", request.Kind.ToString())).ConfigureAwait(false);
                    if (open.Count > 0)
                    {
                        return open[0];
                    }

                    if (attempt == 3)
                    {
                        throw new ModelRegistryException($"The request to {request.Kind.ToString().ToLowerInvariant()} run '{request.RunId}' kept meeting another one being closed; nothing was stored. Try again.");
                    }
                }

                var batch = new NpgsqlBatch(connection, transaction);
                await using var batchScope = batch.ConfigureAwait(false);
                AddAudit(batch, RegistryRules.RequestAudit(request));
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return request;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RunRequest?> GetOpenRequestAsync(string runId, RunRequestKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var open = await ReadAsync(
            (connection, ct) => ReadRequestsAsync(connection, null, $"SELECT {RequestColumns} FROM run_requests WHERE run_id = @r AND kind = @k AND closed_at IS NULL", ct, ("r", runId), ("k", kind.ToString())),
            cancellationToken).ConfigureAwait(false);
        return open.Count == 0 ? null : open[0];
    }

    public IAsyncEnumerable<RunRequest> ListOpenRequestsAsync(string modelName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        return QueryRequestsAsync($"SELECT {RequestColumns} FROM run_requests WHERE model = @m AND closed_at IS NULL ORDER BY seq", ("m", modelName), cancellationToken);
    }

    public IAsyncEnumerable<RunRequest> ReadRequestsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return QueryRequestsAsync($"SELECT {RequestColumns} FROM run_requests WHERE run_id = @r ORDER BY seq", ("r", runId), cancellationToken);
    }

    private async IAsyncEnumerable<RunRequest> QueryRequestsAsync(string sql, (string Name, object? Value) parameter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var requests = await ReadAsync((connection, ct) => ReadRequestsAsync(connection, null, sql, ct, parameter), cancellationToken).ConfigureAwait(false);
        foreach (var request in requests)
        {
            yield return request;
        }
    }

    public async ValueTask<RunRequest?> CloseRequestAsync(string runId, RunRequestKind kind, string outcome, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        at = Microseconds(at);
        return await WriteAsync<RunRequest?>(
            async (connection, transaction, ct) =>
            {
                // One UPDATE is the compare-and-set: of two hosts closing the request, one gets its row back.
                var closed = await ReadRequestsAsync(connection, transaction, $"UPDATE run_requests SET closed_at = @at, outcome = @o WHERE run_id = @r AND kind = @k AND closed_at IS NULL RETURNING {RequestColumns}", ct, ("r", runId), ("k", kind.ToString()), ("at", at), ("o", outcome)).ConfigureAwait(false);
                if (closed.Count == 0)
                {
                    return null;
                }

                var batch = new NpgsqlBatch(connection, transaction);
                await using var batchScope = batch.ConfigureAwait(false);
                AddAudit(batch, RegistryRules.RequestClosedAudit(closed[0]));
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return closed[0];
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static Task<List<RunRequest>> ReadRequestsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        => QueryAsync(
            connection,
            transaction,
            sql,
            r => new RunRequest(r.GetString(0), r.GetString(1), Enum.Parse<RunRequestKind>(r.GetString(2)), r.GetString(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5))
            {
                ClosedAt = r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
                Outcome = r.IsDBNull(7) ? null : r.GetString(7),
            },
            cancellationToken,
            parameters);
}
