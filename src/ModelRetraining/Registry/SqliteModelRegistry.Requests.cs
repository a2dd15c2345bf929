using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

/// <summary>Requests about runs (cancel, resume): one open per run and kind (a partial unique index), audited.</summary>
internal sealed partial class SqliteModelRegistry
{
    private const string RequestColumns = "run_id, model, kind, actor, reason, at, closed_at, outcome";

    public async ValueTask<RunRequest> RequestAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(request);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync(
            (connection, transaction) =>
            {
                if (ReadOpenRequest(connection, transaction, request.RunId, request.Kind) is { } open)
                {
                    return open;
                }

                Execute(connection, transaction, "INSERT INTO run_requests(run_id, model, kind, actor, reason, at) VALUES($r, $m, $k, $a, $why, $at)", ("$r", request.RunId), ("$m", request.ModelName), ("$k", request.Kind.ToString()), ("$a", request.Actor), ("$why", request.Reason), ("$at", Format(request.At)));
                Audit(connection, transaction, RegistryRules.RequestAudit(request));
                return request with { ClosedAt = null, Outcome = null };
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RunRequest?> GetOpenRequestAsync(string runId, RunRequestKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        return ReadOpenRequest(connection, null, runId, kind);
    }

    public IAsyncEnumerable<RunRequest> ListOpenRequestsAsync(string modelName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        return QueryRequestsAsync($"SELECT {RequestColumns} FROM run_requests WHERE model = $m AND closed_at IS NULL ORDER BY seq", ("$m", modelName), cancellationToken);
    }

    public IAsyncEnumerable<RunRequest> ReadRequestsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return QueryRequestsAsync($"SELECT {RequestColumns} FROM run_requests WHERE run_id = $r ORDER BY seq", ("$r", runId), cancellationToken);
    }

    // Read whole on one connection, then handed out: a slow consumer holds no connection.
    private async IAsyncEnumerable<RunRequest> QueryRequestsAsync(string sql, (string Name, object? Value) parameter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        List<RunRequest> requests;
        using (var connection = Open())
        {
            requests = ReadRequests(connection, null, sql, parameter);
        }

        foreach (var request in requests)
        {
            yield return request;
        }
    }

    public async ValueTask<RunRequest?> CloseRequestAsync(string runId, RunRequestKind kind, string outcome, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await WriteAsync<RunRequest?>(
            (connection, transaction) =>
            {
                if (ReadOpenRequest(connection, transaction, runId, kind) is not { } open)
                {
                    return null;
                }

                Execute(connection, transaction, "UPDATE run_requests SET closed_at = $at, outcome = $o WHERE run_id = $r AND kind = $k AND closed_at IS NULL", ("$r", runId), ("$k", kind.ToString()), ("$at", Format(at)), ("$o", outcome));
                var closed = open with { ClosedAt = at, Outcome = outcome };
                Audit(connection, transaction, RegistryRules.RequestClosedAudit(closed));
                return closed;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static RunRequest? ReadOpenRequest(SqliteConnection connection, SqliteTransaction? transaction, string runId, RunRequestKind kind)
        => ReadRequests(connection, transaction, $"SELECT {RequestColumns} FROM run_requests WHERE run_id = $r AND kind = $k AND closed_at IS NULL", ("$r", runId), ("$k", kind.ToString())).FirstOrDefault();

    private static List<RunRequest> ReadRequests(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var requests = new List<RunRequest>();
        while (reader.Read())
        {
            requests.Add(new RunRequest(reader.GetString(0), reader.GetString(1), Enum.Parse<RunRequestKind>(reader.GetString(2)), reader.GetString(3), reader.GetString(4), Parse(reader.GetString(5)))
            {
                ClosedAt = reader.IsDBNull(6) ? null : Parse(reader.GetString(6)),
                Outcome = reader.IsDBNull(7) ? null : reader.GetString(7),
            });
        }

        return requests;
    }
}
