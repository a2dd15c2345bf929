using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace ModelRetraining.Serving;

/// <summary>
/// Serves the version an alias (the champion, by default) points at, and follows the alias: when it moves
/// (promotion, rollback), the new version is loaded first and then swapped in atomically; calls in flight
/// finish on the old version, which is disposed once they drain. A version that fails to load is not
/// swapped in: the old one keeps serving and the failure is logged, counted and raised as an event.
/// Every prediction gets an id; <see cref="RecordOutcome(string, bool)"/> feeds the online accuracy per
/// version and, when given, a <see cref="PerformanceMonitor"/>.
/// </summary>
/// <typeparam name="TInput">The input row type (ML.NET column attributes apply).</typeparam>
/// <typeparam name="TOutput">The output type.</typeparam>
public sealed partial class ModelServer<TInput, TOutput> : IAsyncDisposable
    where TInput : class
    where TOutput : class, new()
{
    private static readonly Meter Meter = new("ModelRetraining.Serving");
    private static readonly Counter<long> Swaps = Meter.CreateCounter<long>("modelretraining.serving.swaps");
    private static readonly Counter<long> SwapFailures = Meter.CreateCounter<long>("modelretraining.serving.swap_failures");

    private readonly IModelRegistry _registry;
    private readonly string _modelName;
    private readonly ModelServerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly PerformanceMonitor? _monitor;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ConcurrentDictionary<string, (int Version, DateTimeOffset At)> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _pendingOrder = new();
    private readonly ConcurrentDictionary<int, OnlineAccuracy> _online = new();
    private readonly MLContext _ml = new(seed: 0);
    private LoadedModel<TInput, TOutput>? _current;
    private ITimer? _poll;
    private int _pendingCount;
    private int _loaded;
    private int _disposedModels;

    /// <summary>Creates a server; call <see cref="StartAsync"/> before predicting.</summary>
    /// <param name="registry">The registry whose alias is followed.</param>
    /// <param name="modelName">The model served.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="monitor">Receives every outcome, to trigger retraining on decay; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="OptionsValidationException">An option is invalid.</exception>
    public ModelServer(IModelRegistry registry, string modelName, ModelServerOptions? options = null, PerformanceMonitor? monitor = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        _options = options ?? new ModelServerOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(ModelServerOptions), typeof(ModelServerOptions), errors);
        }

        _registry = registry;
        _modelName = modelName;
        _monitor = monitor;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised when a moved alias names a version that fails to load; the previous version keeps serving.</summary>
    public event EventHandler<ModelSwapFailedEventArgs>? SwapFailed;

    /// <summary>Gets the version being served, or <see langword="null"/> before the alias is set.</summary>
    public ModelVersion? Current => Volatile.Read(ref _current)?.Version;

    internal int LoadedModels => Volatile.Read(ref _loaded);

    internal int DisposedModels => Volatile.Read(ref _disposedModels);

    /// <summary>Loads the version the alias points at (if it is set) and starts polling the registry.</summary>
    /// <param name="cancellationToken">Cancels the first load.</param>
    /// <returns>A task that completes when the first version is loaded.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _poll ??= _timeProvider.CreateTimer(_ => _ = PollAsync(), null, _options.PollInterval, _options.PollInterval);
    }

    /// <summary>Reads the alias now and swaps in the version it names if that differs from the one served.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when a new version was swapped in.</returns>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var target = await _registry.GetAliasAsync(_modelName, _options.Alias, cancellationToken).ConfigureAwait(false);
            var current = Volatile.Read(ref _current);
            if (target is null || target.Version == current?.Version.Version)
            {
                return false;
            }

            LoadedModel<TInput, TOutput> loaded;
            try
            {
                var artifact = await _registry.ReadArtifactAsync(target, cancellationToken).ConfigureAwait(false);
                ITransformer transformer;
                using (var stream = new MemoryStream(artifact.Content.ToArray(), writable: false))
                {
                    transformer = _ml.Model.Load(stream, out _);
                }

                loaded = new LoadedModel<TInput, TOutput>(target, _ml, transformer, _ => Interlocked.Increment(ref _disposedModels));

                // A first prediction engine proves the model fits the input and output types before it serves.
                loaded.Predict(Activator.CreateInstance<TInput>());
                Interlocked.Increment(ref _loaded);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                SwapFailures.Add(1, new KeyValuePair<string, object?>("model", _modelName));
                LogSwapFailed(_logger, ex, _modelName, target.Version, current?.Version.ToString() ?? "nothing");
                SwapFailed?.Invoke(this, new ModelSwapFailedEventArgs(target, current?.Version, ex));
                return false;
            }

            var previous = Interlocked.Exchange(ref _current, loaded);
            previous?.Retire();
            Swaps.Add(1, new KeyValuePair<string, object?>("model", _modelName));
            LogSwapped(_logger, _modelName, target.Version, previous?.Version.ToString() ?? "nothing");
            return true;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Predicts with the version being served.</summary>
    /// <param name="input">The input row.</param>
    /// <returns>The prediction with its id and version.</returns>
    /// <exception cref="InvalidOperationException">No version is served yet (the alias is not set, or <see cref="StartAsync"/> was not called).</exception>
    public Prediction<TOutput> Predict(TInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        while (true)
        {
            var model = Volatile.Read(ref _current)
                ?? throw new InvalidOperationException($"No version of '{_modelName}' is being served: its '{_options.Alias}' alias is not set yet{(_poll is null ? ", or StartAsync was not called" : string.Empty)}.");
            if (!model.TryAcquire())
            {
                continue; // retired between the read and the acquire: the newer version is already in place
            }

            try
            {
                var output = model.Predict(input);
                var id = Guid.CreateVersion7(_timeProvider.GetUtcNow()).ToString("N");
                Remember(id, model.Version.Version);
                return new Prediction<TOutput>(id, model.Version.Version, output);
            }
            finally
            {
                model.Release();
            }
        }
    }

    /// <summary>Records whether a prediction turned out right.</summary>
    /// <param name="predictionId">The id <see cref="Predict"/> returned.</param>
    /// <param name="correct">The outcome.</param>
    /// <exception cref="KeyNotFoundException">The id is unknown, expired (older than <see cref="ModelServerOptions.OutcomeWindow"/>) or already has its outcome; nothing is recorded.</exception>
    public void RecordOutcome(string predictionId, bool correct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(predictionId);
        if (!_pending.TryRemove(predictionId, out var prediction))
        {
            throw new KeyNotFoundException($"Prediction '{predictionId}' of '{_modelName}' is unknown, expired or already has its outcome; nothing was recorded.");
        }

        Interlocked.Decrement(ref _pendingCount);

        if (_timeProvider.GetUtcNow() - prediction.At > _options.OutcomeWindow)
        {
            throw new KeyNotFoundException($"Prediction '{predictionId}' of '{_modelName}' expired: its outcome came after {_options.OutcomeWindow}; nothing was recorded.");
        }

        _online.GetOrAdd(prediction.Version, _ => new OnlineAccuracy()).Add(correct);
        _monitor?.RecordOutcome(correct);
    }

    /// <summary>Gets the online accuracy of a version from the outcomes recorded so far.</summary>
    /// <param name="version">The version.</param>
    /// <returns>Outcomes and the share that were right.</returns>
    public (long Outcomes, double Accuracy) OnlineAccuracyOf(int version)
        => _online.TryGetValue(version, out var accuracy) ? accuracy.Snapshot() : (0, double.NaN);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_poll is not null)
        {
            await _poll.DisposeAsync().ConfigureAwait(false);
        }

        await _refresh.WaitAsync().ConfigureAwait(false);
        Interlocked.Exchange(ref _current, null)?.Retire();
        _refresh.Release();
        _refresh.Dispose();
    }

    // ConcurrentDictionary.Count takes every lock of the dictionary: the size is counted here instead.
    private void Remember(string id, int version)
    {
        _pending[id] = (version, _timeProvider.GetUtcNow());
        _pendingOrder.Enqueue(id);
        if (Interlocked.Increment(ref _pendingCount) <= _options.MaxPendingOutcomes)
        {
            return;
        }

        while (Volatile.Read(ref _pendingCount) > _options.MaxPendingOutcomes && _pendingOrder.TryDequeue(out var oldest))
        {
            if (_pending.TryRemove(oldest, out _))
            {
                Interlocked.Decrement(ref _pendingCount);
            }
        }
    }

    private async Task PollAsync()
    {
        try
        {
            await RefreshAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelRegistryException or IOException or ObjectDisposedException)
        {
            LogPollFailed(_logger, ex, _modelName);
        }
    }

    [LoggerMessage(70, LogLevel.Information, "Serving {ModelName} v{Version} (was {Previous})")]
    private static partial void LogSwapped(ILogger logger, string modelName, int version, string previous);

    [LoggerMessage(71, LogLevel.Warning, "{ModelName} v{Version} failed to load; still serving {Current}")]
    private static partial void LogSwapFailed(ILogger logger, Exception exception, string modelName, int version, string current);

    [LoggerMessage(72, LogLevel.Warning, "Polling the registry for {ModelName} failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string modelName);

    private sealed class OnlineAccuracy
    {
        private long _outcomes;
        private long _correct;

        public void Add(bool correct)
        {
            Interlocked.Increment(ref _outcomes);
            if (correct)
            {
                Interlocked.Increment(ref _correct);
            }
        }

        public (long, double) Snapshot()
        {
            var outcomes = Interlocked.Read(ref _outcomes);
            return (outcomes, outcomes == 0 ? double.NaN : (double)Interlocked.Read(ref _correct) / outcomes);
        }
    }
}
