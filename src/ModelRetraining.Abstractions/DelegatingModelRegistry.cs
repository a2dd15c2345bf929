namespace ModelRetraining;

/// <summary>A registry that passes every call to an inner registry; derive to add behaviour (retries, caching, telemetry).</summary>
public abstract class DelegatingModelRegistry : IModelRegistry, IAliasMoveSource
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerRegistry">The registry to call.</param>
    protected DelegatingModelRegistry(IModelRegistry innerRegistry)
    {
        ArgumentNullException.ThrowIfNull(innerRegistry);
        InnerRegistry = innerRegistry;
    }

    /// <summary>Gets the decorated registry.</summary>
    protected IModelRegistry InnerRegistry { get; }

    /// <summary>Raised after an alias move is committed, when the decorated registry tells of moves (<see cref="IAliasMoveSource"/>).</summary>
    public event EventHandler<AliasMovedEventArgs>? AliasMoved
    {
        add
        {
            if (InnerRegistry is IAliasMoveSource source)
            {
                source.AliasMoved += value;
            }
        }

        remove
        {
            if (InnerRegistry is IAliasMoveSource source)
            {
                source.AliasMoved -= value;
            }
        }
    }

    /// <inheritdoc />
    public virtual IRunJournal Journal => InnerRegistry.Journal;

    /// <inheritdoc />
    public virtual IApprovalStore Approvals => InnerRegistry.Approvals;

    /// <inheritdoc />
    public virtual ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
        => InnerRegistry.RegisterVersionAsync(version, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
        => InnerRegistry.GetVersionAsync(modelName, version, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<ModelVersion> ListVersionsAsync(string modelName, CancellationToken cancellationToken = default)
        => InnerRegistry.ListVersionsAsync(modelName, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ModelVersion?> GetAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
        => InnerRegistry.GetAliasAsync(modelName, alias, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
        => InnerRegistry.SetAliasAsync(change, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<AliasHistoryEntry> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default)
        => InnerRegistry.RollbackAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<AliasHistoryEntry> GetAliasHistoryAsync(string modelName, string alias, CancellationToken cancellationToken = default)
        => InnerRegistry.GetAliasHistoryAsync(modelName, alias, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<AuditEvent> GetAuditEventsAsync(string modelName, CancellationToken cancellationToken = default)
        => InnerRegistry.GetAuditEventsAsync(modelName, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default)
        => InnerRegistry.SetTagAsync(modelName, version, key, value, actor, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ModelArtifact> ReadArtifactAsync(ModelVersion version, CancellationToken cancellationToken = default)
        => InnerRegistry.ReadArtifactAsync(version, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ModelArtifact> ReadAttachmentAsync(ModelVersion version, string name, CancellationToken cancellationToken = default)
        => InnerRegistry.ReadAttachmentAsync(version, name, cancellationToken);
}
