namespace ModelRetraining;

/// <summary>Fits a candidate model.</summary>
public interface ITrainer : ICapabilityProvider
{
    /// <summary>Gets the trainer's name, used in reports and parameters.</summary>
    string Name { get; }

    /// <summary>Fits a model on the training data.</summary>
    /// <param name="training">The validated training data.</param>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Cancels training between steps.</param>
    /// <returns>The candidate.</returns>
    ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default);
}
