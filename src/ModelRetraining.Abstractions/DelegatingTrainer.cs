namespace ModelRetraining;

/// <summary>A trainer that passes every call to an inner trainer; derive to add behaviour (timeouts, telemetry).</summary>
public abstract class DelegatingTrainer : ITrainer
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerTrainer">The trainer to call.</param>
    protected DelegatingTrainer(ITrainer innerTrainer)
    {
        ArgumentNullException.ThrowIfNull(innerTrainer);
        InnerTrainer = innerTrainer;
    }

    /// <summary>Gets the decorated trainer.</summary>
    protected ITrainer InnerTrainer { get; }

    /// <summary>Answers for this decorator's own type first, then asks the decorated component, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerTrainer, serviceType, serviceKey);


    /// <inheritdoc />
    public virtual string Name => InnerTrainer.Name;

    /// <inheritdoc />
    public virtual ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerTrainer.TrainAsync(training, context, cancellationToken);
}
