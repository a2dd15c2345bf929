using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Serving;

/// <summary>
/// Serves the version an alias (the champion, by default) points at, and follows it: when it moves
/// (promotion, rollback), the new version is loaded first and then swapped in atomically; calls in flight
/// finish on the old version, which is disposed once they drain. A version that fails to load is not
/// swapped in: the old one keeps serving and the failure is logged, counted and raised as an event.
/// Every prediction gets an id; <see cref="RecordOutcome(string, bool)"/> (or <see cref="RecordActual"/>
/// with <see cref="IsCorrect"/>) feeds the online accuracy per version and, when given, a
/// <see cref="PerformanceMonitor"/>. A challenger can be tried in shadow, A/B or canary rollouts
/// (<see cref="StartRolloutAsync"/>).
/// </summary>
/// <typeparam name="TInput">The input row type (ML.NET column attributes apply).</typeparam>
/// <typeparam name="TOutput">The output type.</typeparam>
public sealed partial class ModelServer<TInput, TOutput> : IAsyncDisposable
    where TInput : class
    where TOutput : class, new()
{
    private readonly IModelRegistry _registry;
    private readonly string _modelName;
    private readonly ModelServerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly PredictionLedger _ledger;
    private readonly RolloutController<TInput, TOutput> _rollouts;

    private readonly SwapSlot<TInput, TOutput> _slot = new();

    // The version swapped out last, kept loaded for a rollback or a move back (KeepPreviousVersionLoaded);
    // read and written under _refresh.
    private LoadedModel<TInput, TOutput>? _standby;
    private ITimer? _poll;
    private int _disposed;
    private volatile ModelSwapFailedEventArgs? _lastSwapFailure;

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
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        _options = options ?? new ModelServerOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(ModelServerOptions), typeof(ModelServerOptions), errors);
        }

        _registry = registry;
        _modelName = modelName;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _ledger = new PredictionLedger(modelName, _options, _timeProvider, monitor);
        _rollouts = new RolloutController<TInput, TOutput>(modelName, _options.Alias, registry, _timeProvider, _logger, _ledger, () => Current, AcquireChampion, LoadAsync, RefreshAsync, e => RolloutChanged?.Invoke(this, e));
    }

    /// <summary>Raised when a moved alias names a version that fails to load; the previous version keeps serving.</summary>
    public event EventHandler<ModelSwapFailedEventArgs>? SwapFailed;

    /// <summary>Raised after a rollback through this server moved the alias back (see <see cref="ModelRolledBackEventArgs.ServerFollowed"/>).</summary>
    public event EventHandler<ModelRolledBackEventArgs>? RolledBack;

    /// <summary>
    /// Gets why the server is not serving the version its alias names: the last load that failed (its
    /// version, what still serves, and the cause), or <see langword="null"/> when the server follows its alias.
    /// </summary>
    public ModelSwapFailedEventArgs? LastSwapFailure => _lastSwapFailure;

    /// <summary>Gets the version being served, or <see langword="null"/> before the alias is set.</summary>
    public ModelVersion? Current => _slot.Current?.Version;

    /// <summary>Gets the version kept loaded for an instant rollback (the one served before <see cref="Current"/>), or <see langword="null"/> when there is none or <see cref="ModelServerOptions.KeepPreviousVersionLoaded"/> is off.</summary>
    public ModelVersion? Standby => Volatile.Read(ref _standby)?.Version;

    /// <summary>Gets how an output is judged against the actual value passed to <see cref="RecordActual"/> (for a challenger's shadow answers too); <see langword="null"/> when outcomes are recorded as right or wrong by the caller.</summary>
    public Func<TOutput, float, bool>? IsCorrect { get; init; }

    /// <summary>
    /// Gets the training schema's derived columns, computed on every input before it is predicted (the input
    /// is changed in place), so the served model sees the features it was trained on. With it set, a version
    /// whose stored schema names a derived column it does not compute is not swapped in; without it, such a
    /// version serves with a warning (the caller computes the column). Create it with
    /// <see cref="CsvSchema.DerivationsFor{TInput}"/> from the schema the pipeline trained with.
    /// </summary>
    public ServingDerivations<TInput>? Derivations { get; init; }

    internal int LoadedModels => _slot.Loaded;

    internal int DisposedModels => _slot.Disposed;

    // Tests wrap predictors (a challenger that throws, or is slow) through this hook.
    internal Func<ModelVersion, IServedModel<TInput, TOutput>, IServedModel<TInput, TOutput>>? PredictorDecorator { get; init; }

    /// <summary>Loads the version the alias points at (if it is set) and starts polling the registry.</summary>
    /// <param name="cancellationToken">Cancels the first load.</param>
    /// <returns>A task that completes when the first version is loaded.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_poll is null && _registry.GetService<IAliasMoveSource>() is { } source)
        {
            source.AliasMoved += OnAliasMoved;
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _poll ??= _timeProvider.CreateTimer(_ => _ = PollAsync(), null, _options.PollInterval, _options.PollInterval);
        if (Volatile.Read(ref _disposed) == 0)
        {
            ServingTelemetry.Follow(this); // its rollout's arms are observed until it is disposed
        }
    }

    /// <summary>Reads the alias now and swaps in the version it names if that differs from the one served.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when a new version was swapped in.</returns>
    public Task<bool> RefreshAsync(CancellationToken cancellationToken = default) => RefreshCoreAsync(null, cancellationToken);

    // A rollback hands in the target it already loaded (to verify it), so it is not loaded twice.
    private async Task<bool> RefreshCoreAsync(LoadedModel<TInput, TOutput>? preloaded, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool swapped;
        ModelVersion? target;
        try
        {
            if (Volatile.Read(ref _disposed) == 1)
            {
                return false; // queued behind DisposeAsync: nothing may be loaded into a disposed server
            }

            target = await _registry.GetAliasAsync(_modelName, _options.Alias, cancellationToken).ConfigureAwait(false);
            var current = _slot.Current;
            if (target is null || target.Version == current?.Version.Version)
            {
                _lastSwapFailure = null;
                return false;
            }

            LoadedModel<TInput, TOutput> loaded;
            if (preloaded is not null && preloaded.Version.Version == target.Version)
            {
                loaded = preloaded;
                preloaded = null;
            }
            else if (_standby is { } standby && standby.Version.Version == target.Version)
            {
                loaded = standby; // served before and still warm: no load
                Volatile.Write(ref _standby, null);
            }
            else
            {
                try
                {
                    loaded = await LoadAsync(target, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ServingTelemetry.SwapFailures.Add(1, new KeyValuePair<string, object?>("model", _modelName));
                    Log.SwapFailed(_logger, ex, _modelName, target.Version, current?.Version.ToString() ?? "nothing");
                    var failure = new ModelSwapFailedEventArgs(target, current?.Version, ex);
                    _lastSwapFailure = failure;
                    SwapFailed?.Invoke(this, failure);
                    return false;
                }
            }

            var previous = _slot.Swap(loaded);
            KeepOrRetire(previous);
            _lastSwapFailure = null;
            ServingTelemetry.Swaps.Add(1, new KeyValuePair<string, object?>("model", _modelName));
            Log.Swapped(_logger, _modelName, target.Version, previous?.Version.ToString() ?? "nothing");
            swapped = true;
        }
        finally
        {
            preloaded?.Retire();
            _refresh.Release();
        }

        if (swapped)
        {
            await _rollouts.OnChampionMovedAsync(target.Version, cancellationToken).ConfigureAwait(false);
        }

        return swapped;
    }

    /// <summary>Predicts with the version being served (or, during a rollout, with the arm the request falls to).</summary>
    /// <param name="input">The input row.</param>
    /// <returns>The prediction with its id and version.</returns>
    /// <exception cref="InvalidOperationException">No version is served yet (the alias is not set, or <see cref="StartAsync"/> was not called).</exception>
    public Prediction<TOutput> Predict(TInput input) => Predict(input, null);

    /// <summary>Predicts, routing by a key: during an A/B test or a canary the same key always falls to the same arm (for a given rollout).</summary>
    /// <param name="input">The input row.</param>
    /// <param name="routingKey">The key (a user or session id); <see langword="null"/> splits requests at random.</param>
    /// <returns>The prediction with its id and version.</returns>
    /// <exception cref="InvalidOperationException">No version is served yet (the alias is not set, or <see cref="StartAsync"/> was not called).</exception>
    public Prediction<TOutput> Predict(TInput input, string? routingKey)
    {
        ArgumentNullException.ThrowIfNull(input);
        Derivations?.Apply(input);
        if (_rollouts.Active is { } rollout)
        {
            return _rollouts.PredictInRollout(input, routingKey, rollout);
        }

        while (true)
        {
            var model = AcquireChampion();
            if (model is null)
            {
                continue; // retired between the read and the acquire: the newer version is already in place
            }

            try
            {
                var output = model.Predict(input);
                var sequence = _ledger.NextSequence();
                _ledger.Add(sequence, model.Version.Version, output, null, null);
                return new Prediction<TOutput>(_ledger.IdPrefix, sequence, model.Version.Version, output);
            }
            finally
            {
                model.Release();
            }
        }
    }

    /// <summary>Records whether a prediction turned out right.</summary>
    /// <param name="predictionId">The id <see cref="Predict(TInput)"/> returned.</param>
    /// <param name="correct">The outcome.</param>
    /// <exception cref="KeyNotFoundException">The id is unknown, expired (older than <see cref="ModelServerOptions.OutcomeWindow"/>, or pushed out by <see cref="ModelServerOptions.MaxPendingOutcomes"/> newer predictions) or already has its outcome; nothing is recorded.</exception>
    public void RecordOutcome(string predictionId, bool correct)
    {
        var entry = _ledger.Claim(predictionId);
        _ledger.Record(entry, correct);
    }

    /// <summary>Records the actual value for a prediction, judged by <see cref="IsCorrect"/>: the served answer's outcome, and the challenger's too when it scored the request in shadow.</summary>
    /// <param name="predictionId">The id <see cref="Predict(TInput)"/> returned.</param>
    /// <param name="actual">The actual value (the label).</param>
    /// <returns>Whether the served answer was right.</returns>
    /// <exception cref="InvalidOperationException"><see cref="IsCorrect"/> is not set.</exception>
    /// <exception cref="KeyNotFoundException">The id is unknown, expired or already has its outcome; nothing is recorded.</exception>
    public bool RecordActual(string predictionId, float actual)
    {
        var judge = IsCorrect ?? throw new InvalidOperationException($"RecordActual needs {nameof(IsCorrect)} (how an output is judged against the actual value); set it when creating the server, or call RecordOutcome(id, correct).");
        var entry = _ledger.Claim(predictionId);
        var correct = judge((TOutput)entry.Output!, actual);
        _ledger.Record(entry, correct);
        if (entry.Shadow is { Output: TOutput shadowed } shadow)
        {
            shadow.Counters.AddOutcome(judge(shadowed, actual));
        }

        return correct;
    }

    /// <summary>Gets the online accuracy of a version from the outcomes recorded so far.</summary>
    /// <param name="version">The version.</param>
    /// <returns>Outcomes and the share that were right.</returns>
    public OnlineAccuracy OnlineAccuracyOf(int version) => _ledger.OnlineAccuracyOf(version);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // a container that registered the server twice (keyed and not) disposes it twice
        }

        ServingTelemetry.Forget(this);

        if (_registry.GetService<IAliasMoveSource>() is { } source)
        {
            source.AliasMoved -= OnAliasMoved;
        }

        if (_poll is not null)
        {
            await _poll.DisposeAsync().ConfigureAwait(false);
        }

        await _rollouts.EndRolloutAsync(null).ConfigureAwait(false);
        await _refresh.WaitAsync().ConfigureAwait(false);
        _slot.Clear();
        Interlocked.Exchange(ref _standby, null)?.Retire();
        _refresh.Release();
        _refresh.Dispose();
    }

    private LoadedModel<TInput, TOutput>? AcquireChampion()
    {
        var model = _slot.TryAcquire(out var empty);
        if (!empty)
        {
            return model;
        }

        throw _lastSwapFailure is { } failure
            ? new InvalidOperationException($"No version of '{_modelName}' is being served: its '{_options.Alias}' alias is set to v{failure.Attempted.Version}, which failed to load: {failure.Error.Message}", failure.Error)
            : new InvalidOperationException($"No version of '{_modelName}' is being served: its '{_options.Alias}' alias is not set yet{(_poll is null ? ", or StartAsync was not called" : string.Empty)}.");
    }

    // Under _refresh: the model swapped out becomes the standby (the older standby is let go) or is retired.
    private void KeepOrRetire(LoadedModel<TInput, TOutput>? previous)
    {
        if (previous is null)
        {
            return;
        }

        if (!_options.KeepPreviousVersionLoaded)
        {
            previous.Retire();
            return;
        }

        Interlocked.Exchange(ref _standby, previous)?.Retire();
    }

    private async Task<LoadedModel<TInput, TOutput>> LoadAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        var loader = _options.Loaders.FirstOrDefault(l => l.CanLoad(version))
            ?? throw new InvalidOperationException($"No loader of this server can load {version} (flavor '{version.Flavor}', attachments: {RegistryRules.AttachmentList(version)}); its loaders are {string.Join(", ", _options.Loaders.Select(l => l.Name))}.");
        await CheckDerivationsAsync(version, cancellationToken).ConfigureAwait(false);
        var predictor = await loader.LoadAsync<TInput, TOutput>(version, _registry, cancellationToken).ConfigureAwait(false);
        if (PredictorDecorator is { } decorate)
        {
            predictor = decorate(version, predictor);
        }

        var loaded = _slot.Wrap(version, predictor);
        try
        {
            // A first prediction proves the model fits the input and output types before it serves.
            loaded.Predict(Activator.CreateInstance<TInput>());
        }
        catch
        {
            loaded.Retire();
            throw;
        }

        _slot.CountLoaded();
        return loaded;
    }

    // A move through this process's registry: swap now, off the mover's thread.
    private void OnAliasMoved(object? sender, AliasMovedEventArgs e)
    {
        if (e.Entry.ModelName == _modelName && e.Entry.Alias == _options.Alias)
        {
            _ = Task.Run(PollAsync);
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
            Log.PollFailed(_logger, ex, _modelName);
        }
    }
}
