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

    /// <inheritdoc />
    public virtual string Name => InnerTrainer.Name;

    /// <inheritdoc />
    public virtual ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerTrainer.TrainAsync(training, context, cancellationToken);
}
