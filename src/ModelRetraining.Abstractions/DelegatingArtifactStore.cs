namespace ModelRetraining;

/// <summary>An artifact store that passes every call to an inner store; derive to add behaviour.</summary>
public abstract class DelegatingArtifactStore : IArtifactStore
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerStore">The store to call.</param>
    protected DelegatingArtifactStore(IArtifactStore innerStore)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        InnerStore = innerStore;
    }

    /// <summary>Gets the decorated store.</summary>
    protected IArtifactStore InnerStore { get; }

    /// <summary>Answers for this decorator's own type first, then asks the decorated component, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerStore, serviceType, serviceKey);


    /// <inheritdoc />
    public virtual ValueTask<ArtifactReference> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        => InnerStore.PutAsync(content, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ReadOnlyMemory<byte>> GetAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
        => InnerStore.GetAsync(reference, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> ExistsAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
        => InnerStore.ExistsAsync(reference, cancellationToken);
}
