namespace ModelRetraining.Serving;

/// <summary>
/// One loaded version with a count of the calls using it. Retired when a newer version takes over (or a
/// rollout ends); disposed when the last call using it returns.
/// </summary>
internal sealed class LoadedModel<TInput, TOutput>(ModelVersion version, IServedModel<TInput, TOutput> predictor, Action<LoadedModel<TInput, TOutput>> disposed)
    where TInput : class
    where TOutput : class, new()
{
    private int _users;
    private int _retired;
    private int _disposed;

    public ModelVersion Version { get; } = version;

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

    public TOutput Predict(TInput input) => predictor.Predict(input);

    private void DisposeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        predictor.Dispose();
        disposed(this);
    }
}
