namespace ModelRetraining.Serving;

/// <summary>
/// The slot the served version lives in: a caller acquires the model for one prediction, a swap puts a
/// loaded model in with one interlocked exchange and hands back the previous one, which the server keeps
/// as its standby or retires (disposed once the last caller using it has released it). Counts the models loaded and disposed, so that a test can see
/// that every swapped-out model was disposed.
/// </summary>
internal sealed class SwapSlot<TInput, TOutput>
    where TInput : class
    where TOutput : class, new()
{
    private LoadedModel<TInput, TOutput>? _current;
    private int _loaded;
    private int _disposed;

    public LoadedModel<TInput, TOutput>? Current => Volatile.Read(ref _current);

    public int Loaded => Volatile.Read(ref _loaded);

    public int Disposed => Volatile.Read(ref _disposed);

    /// <summary>Wraps a loaded predictor; it counts as disposed when its last caller releases it after retirement.</summary>
    public LoadedModel<TInput, TOutput> Wrap(ModelVersion version, IServedModel<TInput, TOutput> predictor)
        => new(version, predictor, _ => Interlocked.Increment(ref _disposed));

    /// <summary>Counts a wrapped model that proved it can predict (it may now be swapped in or tried in a rollout).</summary>
    public void CountLoaded() => Interlocked.Increment(ref _loaded);

    /// <summary>Acquires the served model for one call (no allocation: this is every prediction's path).</summary>
    /// <param name="empty">Set when nothing is served yet.</param>
    /// <returns>The model, or <see langword="null"/> when the slot is empty or the model was retired between the read and the acquire (the newer one is already in place: try again).</returns>
    public LoadedModel<TInput, TOutput>? TryAcquire(out bool empty)
    {
        var model = Volatile.Read(ref _current);
        empty = model is null;
        return model is not null && model.TryAcquire() ? model : null;
    }

    /// <summary>Puts a model in; the one it replaces is the caller's to keep or retire.</summary>
    /// <returns>The model replaced, if any.</returns>
    public LoadedModel<TInput, TOutput>? Swap(LoadedModel<TInput, TOutput> model) => Interlocked.Exchange(ref _current, model);

    /// <summary>Empties the slot (the server is disposed) and retires the model it held.</summary>
    public void Clear() => Interlocked.Exchange(ref _current, null)?.Retire();
}
