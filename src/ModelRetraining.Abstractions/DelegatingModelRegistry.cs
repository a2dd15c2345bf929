namespace ModelRetraining;

/// <summary>A registry that passes every call to an inner registry; derive to add behaviour (retries, caching, telemetry).</summary>
public abstract class DelegatingModelRegistry : IModelRegistry
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

    /// <summary>Answers for this decorator's own type first, then asks the decorated component, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerRegistry, serviceType, serviceKey);


    /// <inheritdoc />
    public virtual IAsyncEnumerable<string> ListModelsAsync(CancellationToken cancellationToken = default)
        => InnerRegistry.ListModelsAsync(cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<AliasAssignment> ListAliasesAsync(string modelName, CancellationToken cancellationToken = default)
        => InnerRegistry.ListAliasesAsync(modelName, cancellationToken);

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
