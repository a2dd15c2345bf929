namespace ModelRetraining.Serving;

/// <summary>One loaded model that predicts single rows, thread-safe: ML.NET's pooled prediction engines, or an ONNX Runtime session.</summary>
internal interface IServedPredictor<in TInput, out TOutput> : IDisposable
{
    TOutput Predict(TInput input);
}
