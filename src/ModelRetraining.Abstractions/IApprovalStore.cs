namespace ModelRetraining;

/// <summary>Keeps approval requests durably, with optimistic updates, so approvals survive restarts and two approvers never overwrite each other.</summary>
public interface IApprovalStore : ICapabilityProvider
{
    /// <summary>Stores a new request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored request (revision 1).</returns>
    ValueTask<ApprovalRequest> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a request.</summary>
    /// <param name="id">The request id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The request, or <see langword="null"/>.</returns>
    ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest request opened for a version (the approval inbox, a CLI, a dashboard look a request up by what it approves).</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version the request would promote.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The request, or <see langword="null"/> when none was opened for that version.</returns>
    ValueTask<ApprovalRequest?> GetByVersionAsync(string modelName, int version, CancellationToken cancellationToken = default);

    /// <summary>Replaces a request if it is still at <paramref name="expectedRevision"/>.</summary>
    /// <param name="request">The new state.</param>
    /// <param name="expectedRevision">The revision read before the change.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored request with its new revision.</returns>
    /// <exception cref="ModelRegistryException">Someone else changed the request first.</exception>
    ValueTask<ApprovalRequest> UpdateAsync(ApprovalRequest request, long expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>Lists the requests that are pending or escalated.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The open requests.</returns>
    IAsyncEnumerable<ApprovalRequest> ListOpenAsync(CancellationToken cancellationToken = default);
}
