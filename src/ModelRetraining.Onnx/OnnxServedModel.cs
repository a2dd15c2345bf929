namespace ModelRetraining.Onnx;

/// <summary>An ONNX model on ONNX Runtime (one session, thread-safe) with a typed prediction engine.</summary>
internal sealed class OnnxServedModel<TInput, TOutput> : IServedModel<TInput, TOutput>
    where TInput : class
    where TOutput : class, new()
{
    private readonly OnnxModel _model;
    private readonly OnnxPredictionEngine<TInput, TOutput> _engine;

    public OnnxServedModel(OnnxModel model)
    {
        _model = model;
        try
        {
            _engine = model.CreatePredictionEngine<TInput, TOutput>();
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public OnnxExecutionProvider ExecutionProvider => _model.ExecutionProvider;

    public TOutput Predict(TInput input) => _engine.Predict(input);

    public void Dispose() => _model.Dispose();
}
