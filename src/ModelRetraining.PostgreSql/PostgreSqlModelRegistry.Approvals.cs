using System.Runtime.CompilerServices;
using System.Text.Json;

namespace ModelRetraining.PostgreSql;

// Approval requests: one JSON document per request with a revision; an update applies only at the
// revision the caller read, so two approvers on two nodes never overwrite each other.
internal sealed partial class PostgreSqlModelRegistry
{
    public async ValueTask<ApprovalRequest> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        var stored = request with { Revision = 1 };
        return await WriteAsync(
            async (connection, transaction, ct) =>
            {
                var inserted = await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO approval_requests(id, model, version, status, revision, document) VALUES(@id, @m, @v, @s, 1, @d) ON CONFLICT (id) DO NOTHING",
                    ct,
                    ("id", request.Id),
                    ("m", request.ModelName),
                    ("v", request.Version),
                    ("s", request.Status.ToString()),
                    ("d", JsonSerializer.Serialize(stored))).ConfigureAwait(false);
                return inserted == 1 ? stored : throw RegistryRules.ApprovalExists(request.Id);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return await ReadAsync(
            async (connection, ct) => await ScalarAsync(connection, null, "SELECT document FROM approval_requests WHERE id = @id", ct, ("id", id)).ConfigureAwait(false) is string document
                ? JsonSerializer.Deserialize<ApprovalRequest>(document)
                : null,
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ApprovalRequest?> GetByVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        return await ReadAsync(
            async (connection, ct) => await ScalarAsync(connection, null, "SELECT document FROM approval_requests WHERE model = @m AND version = @v ORDER BY seq DESC LIMIT 1", ct, ("m", modelName), ("v", version)).ConfigureAwait(false) is string document
                ? JsonSerializer.Deserialize<ApprovalRequest>(document)
                : null,
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ApprovalRequest> UpdateAsync(ApprovalRequest request, long expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var stored = request with { Revision = expectedRevision + 1 };
        return await WriteAsync(
            async (connection, transaction, ct) =>
            {
                var changed = await ExecuteAsync(
                    connection,
                    transaction,
                    "UPDATE approval_requests SET status = @s, revision = @next, document = @d WHERE id = @id AND revision = @expected",
                    ct,
                    ("s", request.Status.ToString()),
                    ("next", expectedRevision + 1),
                    ("d", JsonSerializer.Serialize(stored)),
                    ("id", request.Id),
                    ("expected", expectedRevision)).ConfigureAwait(false);
                return changed == 1 ? stored : throw RegistryRules.ApprovalChanged(request.Id, expectedRevision);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ApprovalRequest> ListOpenAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var documents = await QueryAsync("SELECT document FROM approval_requests WHERE status IN ('Pending', 'Escalated') ORDER BY id COLLATE \"C\"", r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return JsonSerializer.Deserialize<ApprovalRequest>(document)!;
        }
    }
}
