using System.Collections.Concurrent;
using Microsoft.ML;

namespace ModelRetraining.MLNet;

/// <summary>
/// An ML.NET model with prediction engines (an engine is not thread-safe) cached per calling thread: the
/// common call takes no lock and touches no shared state. Each thread keeps the engines of its last four
/// models (a champion and a challenger alternate in a rollout); an engine pushed out goes back to its
/// model's free list for another thread. Every engine is also listed, weakly, so that disposing the model
/// disposes those still alive, while the engines of threads that ended are left to the collector (a
/// server's thread pool comes and goes; a strong list would grow with every thread that ever predicted).
/// A thread keeps a reference to an engine of a retired model until newer ones push it out.
/// </summary>
internal sealed class MLNetServedModel<TInput, TOutput>(MLContext ml, ITransformer transformer) : IServedModel<TInput, TOutput>
    where TInput : class
    where TOutput : class, new()
{
    private const int PerThread = 4;

    [ThreadStatic]
    private static ThreadEngines? t_engines;

    private readonly List<WeakReference<PredictionEngine<TInput, TOutput>>> _all = [];
    private readonly ConcurrentBag<PredictionEngine<TInput, TOutput>> _free = [];

    public TOutput Predict(TInput input)
    {
        var engines = t_engines ??= new ThreadEngines();
        var engine = engines.Find(this) ?? Take(engines);
        var output = new TOutput();
        engine.Predict(input, ref output);
        return output;
    }

    public void Dispose()
    {
        lock (_all)
        {
            foreach (var reference in _all)
            {
                if (reference.TryGetTarget(out var engine))
                {
                    engine.Dispose();
                }
            }

            _all.Clear();
        }

        _free.Clear();
        (transformer as IDisposable)?.Dispose();
    }

    private PredictionEngine<TInput, TOutput> Take(ThreadEngines engines)
    {
        if (!_free.TryTake(out var engine))
        {
            engine = ml.Model.CreatePredictionEngine<TInput, TOutput>(transformer);
            lock (_all)
            {
                if (_all.Count >= 64 && _all.Count % 64 == 0)
                {
                    _all.RemoveAll(reference => !reference.TryGetTarget(out _));
                }

                _all.Add(new WeakReference<PredictionEngine<TInput, TOutput>>(engine));
            }
        }

        engines.Add(this, engine);
        return engine;
    }

    private void Return(PredictionEngine<TInput, TOutput> engine) => _free.Add(engine);

    private sealed class ThreadEngines
    {
        private readonly MLNetServedModel<TInput, TOutput>?[] _owners = new MLNetServedModel<TInput, TOutput>?[PerThread];
        private readonly PredictionEngine<TInput, TOutput>?[] _engines = new PredictionEngine<TInput, TOutput>?[PerThread];
        private int _next;

        public PredictionEngine<TInput, TOutput>? Find(MLNetServedModel<TInput, TOutput> owner)
        {
            for (var i = 0; i < PerThread; i++)
            {
                if (ReferenceEquals(_owners[i], owner))
                {
                    return _engines[i];
                }
            }

            return null;
        }

        public void Add(MLNetServedModel<TInput, TOutput> owner, PredictionEngine<TInput, TOutput> engine)
        {
            var slot = _next;
            _next = (_next + 1) % PerThread;
            if (_owners[slot] is { } previous)
            {
                previous.Return(_engines[slot]!);
            }

            (_owners[slot], _engines[slot]) = (owner, engine);
        }
    }
}
