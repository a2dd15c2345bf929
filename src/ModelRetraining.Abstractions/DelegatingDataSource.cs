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

    /// <inheritdoc />
    public virtual string Name => InnerSource.Name;

    /// <inheritdoc />
    public virtual ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerSource.LoadAsync(context, cancellationToken);
}
