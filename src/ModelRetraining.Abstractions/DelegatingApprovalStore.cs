namespace ModelRetraining;

/// <summary>An approval store that passes every call to an inner store; derive to add behaviour (retries, notifications, telemetry).</summary>
public abstract class DelegatingApprovalStore : IApprovalStore
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerStore">The store to call.</param>
    protected DelegatingApprovalStore(IApprovalStore innerStore)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        InnerStore = innerStore;
    }

    /// <summary>Gets the decorated store.</summary>
    protected IApprovalStore InnerStore { get; }

    /// <summary>Answers for this decorator's own type first, then asks the decorated store, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerStore, serviceType, serviceKey);

    /// <inheritdoc />
    public virtual ValueTask<ApprovalRequest> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
        => InnerStore.CreateAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
        => InnerStore.GetAsync(id, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ApprovalRequest?> GetByVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
        => InnerStore.GetByVersionAsync(modelName, version, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ApprovalRequest> UpdateAsync(ApprovalRequest request, long expectedRevision, CancellationToken cancellationToken = default)
        => InnerStore.UpdateAsync(request, expectedRevision, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<ApprovalRequest> ListOpenAsync(CancellationToken cancellationToken = default)
        => InnerStore.ListOpenAsync(cancellationToken);
}
