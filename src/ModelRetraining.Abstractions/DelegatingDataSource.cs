namespace ModelRetraining;

/// <summary>A data source that passes every call to an inner source; derive to add behaviour (caching, retries, logging).</summary>
public abstract class DelegatingDataSource : IDataSource
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerSource">The source to call.</param>
    protected DelegatingDataSource(IDataSource innerSource)
    {
        ArgumentNullException.ThrowIfNull(innerSource);
        InnerSource = innerSource;
    }

    /// <summary>Gets the decorated source.</summary>
    protected IDataSource InnerSource { get; }

    /// <summary>Answers for this decorator's own type first, then asks the decorated component, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerSource, serviceType, serviceKey);


    /// <inheritdoc />
    public virtual string Name => InnerSource.Name;

    /// <inheritdoc />
    public virtual ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerSource.LoadAsync(context, cancellationToken);
}
