namespace ModelRetraining;

/// <summary>
/// Watches a stream of a live model's errors and says when its behaviour changed. Every detector reads
/// its input the same way — 1 is an error (or the larger loss), 0 is a correct prediction — whatever
/// the original papers or River do (River's ADWIN and DDM read their inputs with opposite meanings).
/// After a drift the detector resets itself and starts learning the new regime.
/// </summary>
public interface IConceptDriftDetector
{
    /// <summary>Gets the detector's name.</summary>
    string Name { get; }

    /// <summary>Gets how many values have been seen since the last reset.</summary>
    long Count { get; }

    /// <summary>Adds one observation.</summary>
    /// <param name="error">1 for an error (or a loss value for detectors on real-valued streams), 0 for a correct prediction.</param>
    /// <returns>The detector's state after the value.</returns>
    ConceptDriftState Add(double error);
}
