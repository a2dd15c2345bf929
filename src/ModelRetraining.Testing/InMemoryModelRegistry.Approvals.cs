using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ModelRetraining.Testing;

// Approval requests, with revisions for optimistic updates.
public sealed partial class InMemoryModelRegistry
{
    /// <inheritdoc />
    public ValueTask<ApprovalRequest> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        lock (_gate)
        {
            if (_approvals.ContainsKey(request.Id))
            {
                throw RegistryRules.ApprovalExists(request.Id);
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
    public ValueTask<ApprovalRequest?> GetByVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        RegistryRules.ThrowIfInvalidModelName(modelName);
        lock (_gate)
        {
            return ValueTask.FromResult(_approvals.Values.Where(r => r.ModelName == modelName && r.Version == version).OrderBy(r => r.RequestedAt).LastOrDefault());
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
                throw RegistryRules.ApprovalChanged(request.Id, expectedRevision);
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
}
