namespace ModelRetraining.Serving;

/// <summary>One prediction: its id (to record the outcome against), the version that made it, and the output.</summary>
/// <typeparam name="TOutput">The output type.</typeparam>
/// <param name="Id">The prediction's id.</param>
/// <param name="Version">The model version that answered.</param>
/// <param name="Output">The output.</param>
public sealed record Prediction<TOutput>(string Id, int Version, TOutput Output);
