using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace ModelRetraining;

// Approval requests: one JSON document per request with a revision for optimistic updates.
internal sealed partial class SqliteModelRegistry
{
    public async ValueTask<ApprovalRequest> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var stored = request with { Revision = 1 };
        return await WriteAsync(
            (connection, transaction) =>
            {
                if (Scalar(connection, transaction, "SELECT 1 FROM approval_requests WHERE id = $id", ("$id", request.Id)) is not null)
                {
                    throw RegistryRules.ApprovalExists(request.Id);
                }

                Execute(connection, transaction, "INSERT INTO approval_requests(id, model, status, revision, document, version) VALUES($id, $m, $s, 1, $d, $v)", ("$id", request.Id), ("$m", request.ModelName), ("$s", request.Status.ToString()), ("$d", System.Text.Json.JsonSerializer.Serialize(stored)), ("$v", request.Version));
                return stored;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        return Scalar(connection, null, "SELECT document FROM approval_requests WHERE id = $id", ("$id", id)) is string document
            ? System.Text.Json.JsonSerializer.Deserialize<ApprovalRequest>(document)
            : null;
    }

    public async ValueTask<ApprovalRequest?> GetByVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var connection = Open();
        return Scalar(connection, null, "SELECT document FROM approval_requests WHERE model = $m AND version = $v ORDER BY rowid DESC LIMIT 1", ("$m", modelName), ("$v", version)) is string document
            ? System.Text.Json.JsonSerializer.Deserialize<ApprovalRequest>(document)
            : null;
    }

    public async ValueTask<ApprovalRequest> UpdateAsync(ApprovalRequest request, long expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var stored = request with { Revision = expectedRevision + 1 };
        return await WriteAsync(
            (connection, transaction) =>
            {
                var changed = Execute(connection, transaction, "UPDATE approval_requests SET status = $s, revision = $next, document = $d WHERE id = $id AND revision = $expected", ("$s", request.Status.ToString()), ("$next", expectedRevision + 1), ("$d", System.Text.Json.JsonSerializer.Serialize(stored)), ("$id", request.Id), ("$expected", expectedRevision));
                return changed == 1 ? stored : throw RegistryRules.ApprovalChanged(request.Id, expectedRevision);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ApprovalRequest> ListOpenAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var documents = new List<string>();
        using (var connection = Open())
        using (var command = Command(connection, null, "SELECT document FROM approval_requests WHERE status IN ('Pending', 'Escalated') ORDER BY id"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                documents.Add(reader.GetString(0));
            }
        }

        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return System.Text.Json.JsonSerializer.Deserialize<ApprovalRequest>(document)!;
        }
    }
}
