using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Serving;

/// <summary>
/// The rollout controller of one server: the state machine of a shadow, A/B or canary rollout (start,
/// analyse, step, pause, resume, promote, roll back, stop), the request path while one runs (which arm
/// answers, the shadow worker), and the analysis timer. Decisions come from <see cref="RolloutAnalyzer"/>;
/// the server gives it the registry, the clock, the ledger and how to load and acquire models.
/// </summary>
internal sealed partial class RolloutController<TInput, TOutput>(
    string modelName,
    string alias,
    IModelRegistry registry,
    TimeProvider timeProvider,
    ILogger logger,
    PredictionLedger ledger,
    Func<ModelVersion?> currentChampion,
    Func<LoadedModel<TInput, TOutput>?> acquireChampion,
    Func<ModelVersion, CancellationToken, Task<LoadedModel<TInput, TOutput>>> load,
    Func<CancellationToken, Task<bool>> refresh,
    Action<RolloutEventArgs> changed)
    where TInput : class
    where TOutput : class, new()
{
    private readonly string _modelName = modelName;
    private readonly IModelRegistry _registry = registry;
    private readonly TimeProvider _timeProvider = timeProvider;
    private readonly ILogger _logger = logger;
    private readonly PredictionLedger _ledger = ledger;
    private readonly Func<LoadedModel<TInput, TOutput>?> _acquireChampion = acquireChampion;
    private RolloutRuntime<TInput, TOutput>? _rollout;
    private RolloutState? _lastEnded;
    private RolloutOptions? _lastOptions;

    /// <summary>Gets the options of the running rollout, or of the last one (its limits are what its analyses were judged against).</summary>
    public RolloutOptions? Options => Volatile.Read(ref _rollout)?.Options ?? Volatile.Read(ref _lastOptions);

    /// <summary>Gets the rollout running now, if any (read on every prediction).</summary>
    public RolloutRuntime<TInput, TOutput>? Active => Volatile.Read(ref _rollout);

    /// <summary>Gets the running (or paused, or concluded) rollout; <see langword="null"/> when none is.</summary>
    public RolloutState? LastEnded => Volatile.Read(ref _lastEnded);

    public RolloutState? State
    {
        get
        {
            var rollout = Volatile.Read(ref _rollout);
            if (rollout is null)
            {
                return null;
            }

            lock (rollout.Gate)
            {
                return rollout.Snapshot();
            }
        }
    }

    /// <summary>
    /// Starts trying a challenger against the champion: loads it as the champion is loaded (and proves it
    /// predicts), tags it (audited), and from now on routes requests as the mode says. Analyses run every
    /// <see cref="RolloutOptions.AnalysisInterval"/>, or when <see cref="AnalyzeRolloutAsync"/> is called.
    /// </summary>
    /// <param name="options">The rollout.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The rollout's state.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid (weights that do not sum to 1, steps that do not rise to 1, …); the message names each.</exception>
    /// <exception cref="InvalidOperationException">No champion is served, a rollout is already running, or the challenger is the champion.</exception>
    /// <exception cref="KeyNotFoundException">The challenger version is not registered.</exception>
    public async Task<RolloutState> StartRolloutAsync(RolloutOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(RolloutOptions), typeof(RolloutOptions), errors);
        }

        var champion = currentChampion() ?? throw new InvalidOperationException($"No version of '{_modelName}' is being served: a rollout needs a champion to compare with.");
        if (Volatile.Read(ref _rollout) is { } running)
        {
            throw new InvalidOperationException($"A {running.Options.Mode} rollout of v{running.Challenger.Version.Version} is already {running.Status} on '{_modelName}'; stop it first.");
        }

        if (options.ChallengerVersion == champion.Version)
        {
            throw new InvalidOperationException($"v{options.ChallengerVersion} is the champion of '{_modelName}' already; a rollout needs another version.");
        }

        var version = await _registry.GetVersionAsync(_modelName, options.ChallengerVersion, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"'{_modelName}' has no version {options.ChallengerVersion} to roll out.");
        var challenger = await load(version, cancellationToken).ConfigureAwait(false);
        var rollout = new RolloutRuntime<TInput, TOutput>(_modelName, options, champion.Version, challenger);
        if (Interlocked.CompareExchange(ref _rollout, rollout, null) is not null)
        {
            challenger.Retire();
            throw new InvalidOperationException($"Another rollout started on '{_modelName}' meanwhile.");
        }

        Volatile.Write(ref _lastOptions, options);

        if (rollout.Shadow is not null)
        {
            rollout.ShadowWorker = Task.Run(() => RunShadowAsync(rollout), CancellationToken.None);
        }

        if (options.AnalysisInterval is { } interval)
        {
            rollout.AnalysisTimer = _timeProvider.CreateTimer(_ => _ = AnalyzeOnTimerAsync(rollout), null, interval, interval);
        }

        var started = FormattableString.Invariant($"{options.Mode} against v{champion.Version} started by {options.Actor} at {_timeProvider.GetUtcNow():u}{(options.Mode == RolloutMode.Shadow ? string.Empty : $", {rollout.Share * 100:0.##}% of traffic")}");
        await _registry.SetTagAsync(_modelName, options.ChallengerVersion, ModelServer<TInput, TOutput>.RolloutTag, started, options.Actor, cancellationToken).ConfigureAwait(false);
        return Changed(rollout, RolloutStatus.Running, started, null);
    }

    /// <summary>
    /// Analyses the rollout now, over the current step: the challenger's error rate and p99 latency (against
    /// <see cref="RolloutOptions.MaxErrorRate"/>, <see cref="RolloutOptions.MaxLatencyRatio"/> ×
    /// the champion's and <see cref="RolloutOptions.MaxLatencyP99"/>), then, once both arms have
    /// <see cref="RolloutOptions.MinOutcomes"/> outcomes, its accuracy against the champion's. A canary
    /// acts on the result: failed rolls back, inconclusive pauses, successful moves to the next step or
    /// promotes after the last. An A/B test concludes when its always-valid p-value falls under α (and
    /// rolls back on errors or latency). A shadow only reports.
    /// </summary>
    /// <param name="cancellationToken">Cancels the registry calls a decision makes.</param>
    /// <returns>The analysis.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    public async Task<RolloutAnalysis> AnalyzeRolloutAsync(CancellationToken cancellationToken = default)
    {
        var rollout = Volatile.Read(ref _rollout) ?? throw new InvalidOperationException($"No rollout is running on '{_modelName}'.");

        // One analysis at a time (the timer's and a caller's), so that a decision is acted on once.
        await rollout.Analyzing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await AnalyzeAsync(rollout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            rollout.Analyzing.Release();
        }
    }

    private async Task<RolloutAnalysis> AnalyzeAsync(RolloutRuntime<TInput, TOutput> rollout, CancellationToken cancellationToken)
    {
        RolloutAnalysis analysis;
        lock (rollout.Gate)
        {
            analysis = Analyze(rollout);
            if (analysis.Outcome != AnalysisOutcome.Waiting)
            {
                rollout.Analyses.Add(analysis);
            }
        }

        Log.Analysis(_logger, _modelName, rollout.Challenger.Version.Version, analysis.ToString());
        if (rollout.Status != RolloutStatus.Running || Volatile.Read(ref _rollout) != rollout)
        {
            return analysis; // paused, concluded or ended meanwhile: analyses report, a person decides
        }

        switch (rollout.Options.Mode, analysis.Outcome)
        {
            case (RolloutMode.Canary or RolloutMode.AbTest, AnalysisOutcome.Failed):
                await RollBackRolloutAsync(rollout, analysis, cancellationToken).ConfigureAwait(false);
                break;
            case (RolloutMode.Canary, AnalysisOutcome.Inconclusive):
                Changed(rollout, RolloutStatus.Paused, $"paused for a person at step {analysis.Step}: {string.Join("; ", analysis.Reasons)}", analysis);
                break;
            case (RolloutMode.Canary, AnalysisOutcome.Successful):
                await NextStepAsync(rollout, analysis, cancellationToken).ConfigureAwait(false);
                break;
            case (RolloutMode.AbTest, AnalysisOutcome.Successful):
                lock (rollout.Gate)
                {
                    rollout.Winner = analysis.Challenger.Accuracy > analysis.Champion.Accuracy ? rollout.Challenger.Version.Version : rollout.ChampionVersion;
                }

                Changed(rollout, RolloutStatus.Concluded, FormattableString.Invariant($"A/B test concluded: v{rollout.Winner} is better (always-valid p = {analysis.SequentialPValue:G3} < α = {rollout.Options.Alpha})"), analysis);
                break;
        }

        return analysis;
    }

    // A canary or A/B test stopped before it decided says where its evidence stood: its data ran out.
    private static string Undecided(RolloutRuntime<TInput, TOutput> rollout)
    {
        if (rollout.Options.Mode == RolloutMode.Shadow || rollout.Status is not (RolloutStatus.Running or RolloutStatus.Paused))
        {
            return string.Empty;
        }

        var (champion, challenger) = (rollout.ChampionCounters.Snapshot(rollout.Options.Alpha), rollout.ChallengerCounters.Snapshot(rollout.Options.Alpha));
        var latest = rollout.Analyses.LastOrDefault(a => a.Step == rollout.Step + 1);
        return FormattableString.Invariant($"; undecided at step {rollout.Step + 1}: the evidence ran out before a decision ({champion.Outcomes} champion and {challenger.Outcomes} challenger outcomes{(latest is null ? ", no analysis reached a verdict" : $"; last: {string.Join("; ", latest.Reasons)}")})");
    }

    private async Task NextStepAsync(RolloutRuntime<TInput, TOutput> rollout, RolloutAnalysis analysis, CancellationToken cancellationToken)
    {
        var steps = rollout.Options.CanarySteps;
        if (rollout.Step + 1 >= steps.Count)
        {
            await PromoteAsync(rollout, rollout.Options.Actor, FormattableString.Invariant($"canary passed {steps.Count} steps; last: {string.Join("; ", analysis.Reasons)}"), analysis, cancellationToken).ConfigureAwait(false);
            return;
        }

        RolloutState state;
        string change;
        lock (rollout.Gate)
        {
            if (rollout.Status != RolloutStatus.Running)
            {
                return; // a person paused it while this analysis ran: the step waits for them
            }

            rollout.Step++;
            rollout.ChampionCounters = new ArmCounters(rollout.ChampionVersion, rollout.Options.LatencyWarmUpCalls);
            rollout.ChallengerCounters = new ArmCounters(rollout.Challenger.Version.Version, rollout.Options.LatencyWarmUpCalls);
            rollout.Share = steps[rollout.Step];
            change = FormattableString.Invariant($"step {rollout.Step + 1}: {steps[rollout.Step] * 100:0.##}% of traffic to the challenger");
            rollout.LastChange = change;
            state = rollout.Snapshot();
        }

        Announce(rollout, RolloutStatus.Running, change, analysis, state);
    }

    private async Task RollBackRolloutAsync(RolloutRuntime<TInput, TOutput> rollout, RolloutAnalysis analysis, CancellationToken cancellationToken)
    {
        rollout.Share = 0; // traffic back to the champion first, then the bookkeeping
        var text = $"rolled back automatically at {analysis}";
        Log.RolloutRolledBack(_logger, _modelName, rollout.Challenger.Version.Version, rollout.ChampionVersion, text);
        ServingTelemetry.Rollbacks.Add(1, new KeyValuePair<string, object?>("model", _modelName), new KeyValuePair<string, object?>("mode", rollout.Options.Mode.ToString()));
        await _registry.SetTagAsync(_modelName, rollout.Challenger.Version.Version, ModelServer<TInput, TOutput>.RolloutTag, text, rollout.Options.Actor, cancellationToken).ConfigureAwait(false);
        Changed(rollout, RolloutStatus.RolledBack, text, analysis);
        await EndRolloutAsync(rollout).ConfigureAwait(false);
    }

    private async Task<RolloutState> PromoteAsync(RolloutRuntime<TInput, TOutput> rollout, string actor, string reason, RolloutAnalysis? analysis, CancellationToken cancellationToken)
    {
        var challenger = rollout.Challenger.Version.Version;
        var text = $"promoted by {actor}: {reason}";
        rollout.Promoting = true; // the move's own notice must not end the rollout as "promoted outside"

        // Only over the champion the rollout compared against: a champion that moved meanwhile is not overwritten.
        try
        {
            await _registry.SetAliasAsync(new AliasChange(_modelName, alias, challenger, rollout.ChampionVersion, actor, reason), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            rollout.Promoting = false;
            throw;
        }

        await _registry.SetTagAsync(_modelName, challenger, ModelServer<TInput, TOutput>.RolloutTag, text, actor, cancellationToken).ConfigureAwait(false);
        var state = Changed(rollout, RolloutStatus.Promoted, text, analysis);
        await refresh(cancellationToken).ConfigureAwait(false);
        await EndRolloutAsync(rollout).ConfigureAwait(false);
        return state;
    }

    // A champion that moved under a rollout ends it: promoted when it moved to the challenger, stopped otherwise.
    public async Task OnChampionMovedAsync(int champion, CancellationToken cancellationToken)
    {
        var rollout = Volatile.Read(ref _rollout);
        if (rollout is null || rollout.Promoting || rollout.Status is RolloutStatus.Promoted or RolloutStatus.RolledBack or RolloutStatus.Stopped || champion == rollout.ChampionVersion)
        {
            return;
        }

        var text = champion == rollout.Challenger.Version.Version ? $"promoted outside the rollout (the alias moved to v{champion})" : $"stopped: the champion moved to v{champion} under the rollout";
        await _registry.SetTagAsync(_modelName, rollout.Challenger.Version.Version, ModelServer<TInput, TOutput>.RolloutTag, text, rollout.Options.Actor, cancellationToken).ConfigureAwait(false);
        Changed(rollout, champion == rollout.Challenger.Version.Version ? RolloutStatus.Promoted : RolloutStatus.Stopped, text, null);
        await EndRolloutAsync(rollout).ConfigureAwait(false);
    }

    private RolloutState Changed(RolloutRuntime<TInput, TOutput> rollout, RolloutStatus status, string change, RolloutAnalysis? analysis)
    {
        RolloutState state;
        lock (rollout.Gate)
        {
            rollout.Status = status;
            rollout.LastChange = change;
            state = rollout.Snapshot();
        }

        return Announce(rollout, status, change, analysis, state);
    }

    // After a change made under the gate: the last state kept, the counter, the log line and the event (outside
    // the gate, so a handler that reads the rollout cannot deadlock it).
    private RolloutState Announce(RolloutRuntime<TInput, TOutput> rollout, RolloutStatus status, string change, RolloutAnalysis? analysis, RolloutState state)
    {
        if (status is RolloutStatus.Promoted or RolloutStatus.RolledBack or RolloutStatus.Stopped)
        {
            Volatile.Write(ref _lastEnded, state);
        }

        ServingTelemetry.RolloutChanges.Add(1, new KeyValuePair<string, object?>("model", _modelName), new KeyValuePair<string, object?>("status", status.ToString()));
        Log.RolloutChanged(_logger, _modelName, rollout.Options.Mode, rollout.Challenger.Version.Version, status, SafeText.Escape(change));
        changed(new RolloutEventArgs(state, analysis));
        return state;
    }

    // Takes the rollout off the prediction path, stops the shadow worker and the analysis timer, unloads the challenger.
    public async Task EndRolloutAsync(RolloutRuntime<TInput, TOutput>? rollout)
    {
        rollout ??= Volatile.Read(ref _rollout);
        if (rollout is null || Interlocked.CompareExchange(ref _rollout, null, rollout) != rollout)
        {
            return;
        }

        rollout.Share = 0;
        if (rollout.AnalysisTimer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        rollout.Shadow?.Writer.TryComplete();
        await rollout.Stopping.CancelAsync().ConfigureAwait(false);
        if (rollout.ShadowWorker is { } worker)
        {
            await worker.ConfigureAwait(false);
        }

        rollout.Stopping.Dispose();
        rollout.Challenger.Retire();
    }

    private async Task AnalyzeOnTimerAsync(RolloutRuntime<TInput, TOutput> rollout)
    {
        if (Volatile.Read(ref _rollout) != rollout || rollout.Status != RolloutStatus.Running)
        {
            return;
        }

        try
        {
            await AnalyzeRolloutAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelRegistryException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            Log.AnalysisFailed(_logger, ex, _modelName);
        }
    }
}
