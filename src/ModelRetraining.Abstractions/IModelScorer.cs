namespace ModelRetraining;

/// <summary>Scores a serialized model on data, as serving would: used to check that a rollback target loads and still gives the outputs recorded for it.</summary>
public interface IModelScorer
{
    /// <summary>Loads a model from its artifact and scores every row.</summary>
    /// <param name="artifact">The model's artifact.</param>
    /// <param name="data">The rows.</param>
    /// <param name="cancellationToken">Cancels the scoring.</param>
    /// <returns>The label and score per row, in row order.</returns>
    ValueTask<PerRowOutputs> ScoreAsync(ModelArtifact artifact, DatasetSnapshot data, CancellationToken cancellationToken = default);
}
