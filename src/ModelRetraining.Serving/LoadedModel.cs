using System.Collections.Concurrent;
using Microsoft.ML;

namespace ModelRetraining.Serving;

/// <summary>
/// One loaded version with its pool of prediction engines and a count of the calls using it. Retired when
/// a newer version takes over; disposed when the last call using it returns.
/// </summary>
internal sealed class LoadedModel<TInput, TOutput>(ModelVersion version, MLContext ml, ITransformer transformer, Action<LoadedModel<TInput, TOutput>> disposed)
    where TInput : class
    where TOutput : class, new()
{
    private readonly ConcurrentBag<PredictionEngine<TInput, TOutput>> _engines = [];
    private int _users;
    private int _retired;
    private int _disposed;

    public ModelVersion Version { get; } = version;

    public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    // Interlocked operations on both sides: a caller either sees the model retired and backs off, or is
    // counted before the retirement checks for users, so a model is never disposed under a caller.
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _users);
        if (Volatile.Read(ref _retired) == 1)
        {
            Release();
            return false;
        }

        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _users) == 0 && Volatile.Read(ref _retired) == 1)
        {
            DisposeOnce();
        }
    }

    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _users) == 0)
        {
            DisposeOnce();
        }
    }

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

    private void DisposeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        while (_engines.TryTake(out var engine))
        {
            engine.Dispose();
        }

        (transformer as IDisposable)?.Dispose();
        disposed(this);
    }
}
