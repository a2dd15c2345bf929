using System.Runtime.CompilerServices;

namespace ModelRetraining.Testing;

// Requests about runs (cancel, resume): one open per run and kind, audited.
public sealed partial class InMemoryModelRegistry
{
    /// <inheritdoc />
    public ValueTask<RunRequest> RequestAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        RegistryRules.Validate(request);
        lock (_gate)
        {
            if (OpenRequest(request.RunId, request.Kind) is { } open)
            {
                return ValueTask.FromResult(open);
            }

            var stored = request with { ClosedAt = null, Outcome = null };
            _requests.Add(stored);
            AddAudit(RegistryRules.RequestAudit(stored));
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public ValueTask<RunRequest?> GetOpenRequestAsync(string runId, RunRequestKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        lock (_gate)
        {
            return ValueTask.FromResult(OpenRequest(runId, kind));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RunRequest> ListOpenRequestsAsync(string modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        RunRequest[] open;
        lock (_gate)
        {
            open = [.. _requests.Where(r => r.ModelName == modelName && r.ClosedAt is null)];
        }

        foreach (var request in open)
        {
            await Task.Yield();
            yield return request;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RunRequest> ReadRequestsAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        RunRequest[] requests;
        lock (_gate)
        {
            requests = [.. _requests.Where(r => r.RunId == runId)];
        }

        foreach (var request in requests)
        {
            await Task.Yield();
            yield return request;
        }
    }

    /// <inheritdoc />
    public ValueTask<RunRequest?> CloseRequestAsync(string runId, RunRequestKind kind, string outcome, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        lock (_gate)
        {
            if (OpenRequest(runId, kind) is not { } open)
            {
                return ValueTask.FromResult<RunRequest?>(null);
            }

            var closed = open with { ClosedAt = at, Outcome = outcome };
            _requests[_requests.IndexOf(open)] = closed;
            AddAudit(RegistryRules.RequestClosedAudit(closed));
            return ValueTask.FromResult<RunRequest?>(closed);
        }
    }

    private RunRequest? OpenRequest(string runId, RunRequestKind kind)
        => _requests.FirstOrDefault(r => r.RunId == runId && r.Kind == kind && r.ClosedAt is null);
}
