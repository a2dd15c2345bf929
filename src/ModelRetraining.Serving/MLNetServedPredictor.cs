using System.Collections.Concurrent;
using Microsoft.ML;

namespace ModelRetraining.Serving;

/// <summary>An ML.NET model with a pool of prediction engines (an engine is not thread-safe; the pool grows to the callers' concurrency).</summary>
internal sealed class MLNetServedPredictor<TInput, TOutput>(MLContext ml, ITransformer transformer) : IServedPredictor<TInput, TOutput>
    where TInput : class
    where TOutput : class, new()
{
    private readonly ConcurrentBag<PredictionEngine<TInput, TOutput>> _engines = [];

    public TOutput Predict(TInput input)
    {
        if (!_engines.TryTake(out var engine))
        {
            engine = ml.Model.CreatePredictionEngine<TInput, TOutput>(transformer);
        }

        try
        {
            var output = new TOutput();
            engine.Predict(input, ref output);
            return output;
        }
        finally
        {
            _engines.Add(engine);
        }
    }

    public void Dispose()
    {
        while (_engines.TryTake(out var engine))
        {
            engine.Dispose();
        }

        (transformer as IDisposable)?.Dispose();
    }
}
