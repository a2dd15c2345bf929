namespace ModelRetraining;

/// <summary>
/// One loaded model that predicts single rows, safe to call from many threads at once. A model server
/// holds one per served version and disposes it once the calls using it have drained.
/// </summary>
/// <typeparam name="TInput">The input row type.</typeparam>
/// <typeparam name="TOutput">The output type.</typeparam>
public interface IServedModel<in TInput, out TOutput> : IDisposable
{
    /// <summary>Predicts one row.</summary>
    /// <param name="input">The row.</param>
    /// <returns>The prediction.</returns>
    TOutput Predict(TInput input);
}
