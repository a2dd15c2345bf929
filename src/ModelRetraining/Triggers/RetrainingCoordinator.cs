using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>
/// Turns triggers for one model into runs: never two at once (triggers during a run coalesce into one
/// follow-up), at most one start per cooldown (triggers inside it wait and then start one run together),
/// and an optional debounce window. Every run carries all the triggers that caused it. Time comes from the
/// <see cref="TimeProvider"/>, so tests drive it with a fake clock; a clock that jumps backwards never
/// shortens the cooldown. Stopping it (<see cref="StopAsync"/>, or disposing it) cancels the run under way
/// and waits for it to end, so nothing writes to the registry after its host has stopped.
/// </summary>
public sealed partial class RetrainingCoordinator : IDisposable, IAsyncDisposable
{
    // How long DisposeAsync waits for a cancelled run to end when nobody called StopAsync with a deadline of its own.
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(30);

    private readonly RetrainingPipeline _pipeline;
    private readonly RetrainingCoordinatorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly List<RetrainingTrigger> _pending = [];
    private readonly List<Task<RetrainingRunResult>> _runs = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _running;
    private ITimer? _timer;
    private DateTimeOffset? _lastStart;
    private DateTimeOffset _latestSeen = DateTimeOffset.MinValue;
    private DateTimeOffset _lastTrigger;
    private bool _disposed;

    /// <summary>Creates a coordinator for one pipeline.</summary>
    /// <param name="pipeline">The pipeline to run.</param>
    /// <param name="options">The rules; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public RetrainingCoordinator(RetrainingPipeline pipeline, RetrainingCoordinatorOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
        _options = options ?? new RetrainingCoordinatorOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(RetrainingCoordinatorOptions), typeof(RetrainingCoordinatorOptions), errors);
        }

        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised when a run the coordinator started (or resumed) ends, with how it ended; a host uses it to schedule approval expiry.</summary>
    public event EventHandler<RetrainingRunResult>? RunCompleted;

    /// <summary>Gets every run the coordinator started, in order.</summary>
    public IReadOnlyList<Task<RetrainingRunResult>> Runs
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs];
            }
        }
    }

    /// <summary>Hands a trigger to the coordinator.</summary>
    /// <param name="trigger">What fired, why, and the evidence.</param>
    /// <returns>What happened to it.</returns>
    public TriggerOutcome Trigger(RetrainingTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger.Kind, nameof(trigger));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = Now();
            _pending.Add(trigger);
            _lastTrigger = now;
            if (_running is { IsCompleted: false })
            {
                return TriggerOutcome.Coalesced;
            }

            return Schedule(now);
        }
    }

    /// <summary>Fires a manual trigger for an operator.</summary>
    /// <param name="identity">Who asks.</param>
    /// <param name="reason">Why.</param>
    /// <returns>What happened to it.</returns>
    public TriggerOutcome TriggerManually(string identity, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(identity);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return Trigger(new RetrainingTrigger("manual", reason, identity, _timeProvider.GetUtcNow()));
    }

    /// <summary>
    /// Resumes, one after another, the pipeline's runs that started but never ended because their process
    /// died (see <see cref="RetrainingPipeline.ResumeAsync"/>). While they run, triggers coalesce into one
    /// follow-up as they do during any run. A host calls this once at start.
    /// </summary>
    /// <param name="cancellationToken">Cancels the resumed runs.</param>
    /// <returns>How each resumed run ended, oldest first.</returns>
    /// <exception cref="InvalidOperationException">A run is under way.</exception>
    public Task<IReadOnlyList<RetrainingRunResult>> ResumeUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_running is { IsCompleted: false })
            {
                throw new InvalidOperationException($"A run of '{_pipeline.ModelName}' is under way; resume unfinished runs before triggers start runs (at host start).");
            }

            var resuming = ResumeAllAsync(cancellationToken);
            _running = resuming;
            return resuming;
        }
    }

    /// <summary>
    /// Counts a run that started elsewhere (another node of a cluster, or this host before a restart, as the
    /// run journal says) toward the cooldown: a trigger inside its cooldown waits for the cooldown's end.
    /// A start older than one already counted changes nothing.
    /// </summary>
    /// <param name="startedAt">When that run started.</param>
    public void ObserveStart(DateTimeOffset startedAt)
    {
        lock (_gate)
        {
            if (_lastStart is not { } last || startedAt > last)
            {
                _lastStart = startedAt;
            }
        }
    }

    /// <summary>
    /// Waits until no run is under way (a follow-up that starts at once is waited for too). A scheduler's job
    /// awaits this so that the job spans the run it caused (Quartz's one-execution-at-a-time then holds across a
    /// cluster). A trigger waiting for its cooldown or debounce is not waited for: it starts its run on its own.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; nothing is cancelled.</param>
    /// <returns>A task that completes when no run is under way.</returns>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task? running;
            lock (_gate)
            {
                running = _running is { IsCompleted: false } r ? r : null;
            }

            if (running is null)
            {
                return;
            }

            try
            {
                await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                // The run's failure belongs to whoever awaits the run itself.
            }

            // A follow-up starts (under the lock) as the run ends: yield so that it is seen.
            await Task.Yield();
        }
    }

    /// <summary>
    /// Stops the coordinator: no run starts after this (a trigger is refused), and the run under way is
    /// cancelled (it ends <see cref="RetrainingRunStatus.Cancelled"/> in the journal at the stage it reached)
    /// and awaited. A host calls this when it stops.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting for the run to end (the host's shutdown deadline); the run stays cancelled.</param>
    /// <returns>A task that completes when the run under way has ended, or when waiting was given up.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var running = MarkStopped();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (running is null)
        {
            return;
        }

        try
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run ends Cancelled on its own; the caller's deadline came first.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The run's own failure was reported to whoever awaited it (Runs, ResumeUnfinishedAsync); stopping goes on.
        }
    }

    /// <summary>Stops the coordinator as <see cref="StopAsync"/> does, waiting at most 30 seconds for the run under way to end.</summary>
    /// <returns>A task that completes when the coordinator has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        using var deadline = new CancellationTokenSource(DisposeWait);
        await StopAsync(deadline.Token).ConfigureAwait(false);
    }

    /// <summary>Stops the coordinator and cancels the run under way without waiting for it to end (prefer <see cref="DisposeAsync"/>).</summary>
    public void Dispose()
    {
        MarkStopped();
        _stopping.Cancel();
    }

    // No trigger is taken and no timer fires after this; returns the run under way, if any.
    private Task? MarkStopped()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            return _running;
        }
    }

    // Called under the lock: start now, or arm the timer for the cooldown's or the debounce's end.
    private TriggerOutcome Schedule(DateTimeOffset now)
    {
        var cooldownEnds = _lastStart is { } last ? last + _options.Cooldown : DateTimeOffset.MinValue;
        var quietEnds = _lastTrigger + _options.Debounce;
        var startAt = cooldownEnds > quietEnds ? cooldownEnds : quietEnds;
        if (startAt <= now)
        {
            Start(now);
            return TriggerOutcome.Started;
        }

        _timer?.Dispose();
        _timer = _timeProvider.CreateTimer(_ => OnTimer(), null, startAt - now, Timeout.InfiniteTimeSpan);
        return cooldownEnds > now ? TriggerOutcome.Deferred : TriggerOutcome.Debounced;
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_disposed || _pending.Count == 0 || _running is { IsCompleted: false })
            {
                return;
            }

            Schedule(Now());
        }
    }

    private void Start(DateTimeOffset now)
    {
        var causes = _pending.ToArray();
        _pending.Clear();
        _lastStart = now;
        var run = RunAsync(causes);
        _running = run;
        _runs.Add(run);
    }

    private async Task<RetrainingRunResult> RunAsync(RetrainingTrigger[] causes)
    {
        await Task.Yield();
        try
        {
            RetrainingRunResult result;
            while (true)
            {
                var runId = FiringRunId(causes);
                try
                {
                    result = await _pipeline.RunAsync(new RetrainingRunOptions
                    {
                        RunId = runId,
                        Actor = _options.Actor,
                        Reason = string.Join("; ", causes.Select(c => $"{c.Kind}: {c.Reason}")),
                        Causes = causes,
                    }, _stopping.Token).ConfigureAwait(false);
                    break;
                }
                catch (RunClaimedException claimed) when (runId is not null)
                {
                    // That firing already started its run (on another node, or here before a restart): it never
                    // runs twice. The triggers that came with it still get their run, under the next firing's id.
                    Log.FiringAlreadyRan(_pipeline.Logger, _pipeline.ModelName, runId, claimed.Held?.Holder ?? "another holder");
                    var ran = FirstFiring(causes);
                    causes = [.. causes.Where(c => !string.Equals(c.FiringId, ran, StringComparison.Ordinal))];
                    if (causes.Length == 0)
                    {
                        throw;
                    }
                }
            }

            RunCompleted?.Invoke(this, result);
            return result;
        }
        finally
        {
            lock (_gate)
            {
                if (!_disposed && _pending.Count > 0)
                {
                    // Triggers that came during the run: one follow-up, still bound by the cooldown.
                    Schedule(Now());
                }
            }
        }
    }

    private async Task<IReadOnlyList<RetrainingRunResult>> ResumeAllAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var results = new List<RetrainingRunResult>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            foreach (var runId in await _pipeline.FindUnfinishedRunsAsync(stopping.Token).ConfigureAwait(false))
            {
                RetrainingRunResult result;
                try
                {
                    result = await _pipeline.ResumeAsync(runId, stopping.Token).ConfigureAwait(false);
                }
                catch (RunClaimedException)
                {
                    continue; // alive elsewhere (its claim is renewed): that node finishes it
                }
                catch (InvalidOperationException) when (!stopping.IsCancellationRequested)
                {
                    continue; // it ended between the listing and its plan (another node finished it)
                }

                Record(results, result);
            }

            if (_pipeline.Requests is { } requests)
            {
                await HonourRequestsAsync(requests, results, stopping.Token).ConfigureAwait(false);
            }

            return results;
        }
        finally
        {
            lock (_gate)
            {
                if (!_disposed && _pending.Count > 0)
                {
                    Schedule(Now());
                }
            }
        }
    }

    private void Record(List<RetrainingRunResult> results, RetrainingRunResult result)
    {
        results.Add(result);
        RunCompleted?.Invoke(this, result);
        lock (_gate)
        {
            _runs.Add(Task.FromResult(result));
        }
    }

    // A clock that steps back must not reopen the cooldown: time only moves forward here.
    private DateTimeOffset Now()
    {
        var now = _timeProvider.GetUtcNow();
        if (now > _latestSeen)
        {
            _latestSeen = now;
        }

        return _latestSeen;
    }
}
