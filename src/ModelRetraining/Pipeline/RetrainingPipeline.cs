namespace ModelRetraining;

/// <summary>
/// An immutable retraining pipeline. Each <see cref="RunAsync(RetrainingRunOptions?, CancellationToken)"/>
/// drives the stages in order — ingest, validate, train, evaluate, infra-validate, gate, register, approval,
/// promote — each recorded in the run journal; the candidate and the champion are scored on one holdout and
/// the champion alias moves only when every gate approves. Expected outcomes (rejection, failure,
/// cancellation) come back as a result, not as exceptions.
/// </summary>
public sealed partial class RetrainingPipeline
{
    private readonly PipelineDefinition _definition;
    private readonly RunRecorder _recorder;
    private readonly ResumePlanner _planner;
    private readonly IReadOnlyList<IRunStage> _stages;

    // Names this pipeline instance in run claims: machine, process and instance, so a refusal says who holds the run.
    private readonly string _holder = RunHolders.NewHolder();
    private readonly IRunRequestStore? _requests;

    internal RetrainingPipeline(PipelineDefinition definition)
    {
        _definition = definition;
        _requests = definition.Journal.GetService<IRunRequestStore>() ?? definition.Registry.GetService<IRunRequestStore>();
        _recorder = new RunRecorder(definition);
        _planner = new ResumePlanner(definition);
        _stages =
        [
            new IngestStage(definition),
            new ValidateStage(definition, _recorder),
            new TrainStage(definition),
            new EvaluateStage(definition),
            new InfraValidateStage(definition, _recorder),
            new GateStage(definition, _recorder),
            new RegisterStage(definition, _recorder),
            new ApprovalStage(definition),
            new PromoteStage(definition, _recorder),
        ];
    }

    /// <summary>Gets the registered model the pipeline retrains.</summary>
    public string ModelName => _definition.ModelName;

    /// <summary>Gets the registry the pipeline writes versions and aliases to.</summary>
    public IModelRegistry Registry => _definition.Registry;

    /// <summary>Gets the logger the pipeline writes to (the coordinator of this pipeline writes there too).</summary>
    internal Microsoft.Extensions.Logging.ILogger Logger => _definition.Logger;

    /// <summary>Gets where operators' requests about runs (cancel, resume) are kept, or <see langword="null"/> when the journal keeps none.</summary>
    internal IRunRequestStore? Requests => _requests;

    /// <summary>Gets the run journal every stage of every run is written to.</summary>
    public IRunJournal Journal => _definition.Journal;

    /// <summary>Gets the store of approval requests, or <see langword="null"/> when the pipeline has none (then a gate that asks for a person fails the run).</summary>
    public IApprovalStore? Approvals => _definition.Approvals;

    /// <summary>Runs the pipeline once with default run options.</summary>
    /// <param name="cancellationToken">Cancels the run; the result is then <see cref="RetrainingRunStatus.Cancelled"/>.</param>
    /// <returns>How the run ended.</returns>
    public ValueTask<RetrainingRunResult> RunAsync(CancellationToken cancellationToken)
        => RunAsync(null, cancellationToken);

    /// <summary>Runs the pipeline once.</summary>
    /// <param name="options">Who runs it, why, and where progress goes.</param>
    /// <param name="cancellationToken">Cancels the run; the result is then <see cref="RetrainingRunStatus.Cancelled"/>.</param>
    /// <returns>How the run ended.</returns>
    /// <exception cref="ArgumentException">The run id or the actor is not acceptable (run ids follow the rules of <see cref="RegistryNames"/>, because they name report folders).</exception>
    /// <exception cref="RunClaimedException">The run id was used before: run ids are unique per run.</exception>
    public async ValueTask<RetrainingRunResult> RunAsync(RetrainingRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RetrainingRunOptions();
        if (options.RunId is not null)
        {
            RegistryNames.ThrowIfInvalid(options.RunId, "run id", nameof(options));
        }

        if (options.Actor is not null)
        {
            SafeText.ThrowIfInvalidIdentity(options.Actor, "actor", nameof(options));
        }

        var time = _definition.TimeProvider;
        var run = new RunState(
            ModelName,
            options.RunId ?? Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            options.Actor ?? _definition.Actor,
            options.Reason,
            time.GetUtcNow());
        using var executing = RunHolders.Enter(run.RunId, _holder);
        return await ClaimAsync(run, cancellationToken).ConfigureAwait(false) ?? await ExecuteAsync(run, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resumes a run that did not end (its process died) or that failed or was cancelled: data is read and
    /// checked again, the candidate trained before the interruption is taken from the journal's checkpoint
    /// (or the version the run already registered) instead of being trained again, and a version the run
    /// already registered or a promotion it already made is never repeated.
    /// </summary>
    /// <param name="runId">The run to resume.</param>
    /// <param name="cancellationToken">Cancels the resumed run.</param>
    /// <returns>How the resumed run ended.</returns>
    /// <exception cref="KeyNotFoundException">The journal has no run <paramref name="runId"/>.</exception>
    /// <exception cref="InvalidOperationException">The run belongs to another model, or it already ended (succeeded, rejected or awaiting approval).</exception>
    /// <exception cref="RunClaimedException">Another process (or pipeline) resumed the run first; the message names it.</exception>
    public async ValueTask<RetrainingRunResult> ResumeAsync(string runId, CancellationToken cancellationToken = default)
    {
        RegistryNames.ThrowIfInvalid(runId, "run id", nameof(runId));
        var (run, options) = await _planner.PlanAsync(runId, cancellationToken).ConfigureAwait(false);
        using var executing = RunHolders.Enter(run.RunId, _holder);
        return await ClaimAsync(run, cancellationToken).ConfigureAwait(false) ?? await ExecuteAsync(run, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs this pipeline's data validators (schema, champion schema, quality, drift) on one data set, as the
    /// validate stage would, against the current champion — for a batch as it arrives (<see cref="DatasetStore.AppendAsync"/>),
    /// so bad data is refused and drift is alerted before any run. Nothing is journaled.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <returns>The validators' reports (with what the source itself reported) and the data without the rows they quarantined.</returns>
    public async ValueTask<BatchValidation> ValidateBatchAsync(DatasetSnapshot data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var champion = await _definition.Registry.GetAliasAsync(ModelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
        var context = new RetrainingContext(ModelName, $"batch-check-{Guid.NewGuid():N}", _definition.TimeProvider) { Champion = champion, Registry = _definition.Registry };
        var reports = new List<DataValidationReport>();
        foreach (var validator in _definition.Validators)
        {
            reports.Add(await validator.ValidateAsync(data, context, cancellationToken).ConfigureAwait(false));
        }

        ValidateStage.AddReadIssues(reports, data);
        var kept = ValidateStage.WithoutQuarantined(data, reports);
        return new BatchValidation(reports, kept, data.RowCount - kept.RowCount);
    }

    /// <summary>Lists this model's runs from the pipeline's journal, by every process that shares it, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The runs, each with its latest stage and status.</returns>
    public IAsyncEnumerable<RunSummary> ListRunsAsync(CancellationToken cancellationToken = default)
        => _definition.Journal.ListRunsAsync(ModelName, cancellationToken);

    /// <summary>Lists this model's runs that started but never ended: their process died. Each can be passed to <see cref="ResumeAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The run ids, oldest first.</returns>
    public ValueTask<IReadOnlyList<string>> FindUnfinishedRunsAsync(CancellationToken cancellationToken = default)
        => _planner.FindUnfinishedAsync(cancellationToken);

    // One claimant per attempt: a reused run id or a second resumer is refused (thrown) before anything is
    // journaled. A registry that cannot take the claim at all (read-only, unreachable) ends the run Failed
    // with the cause, as any other registry failure does.
    private async ValueTask<RetrainingRunResult?> ClaimAsync(RunState run, CancellationToken cancellationToken)
    {
        var claim = new RunClaim(run.RunId, ModelName, run.Attempt, _holder, _definition.TimeProvider.GetUtcNow());
        try
        {
            await _definition.Journal.ClaimRunAsync(claim, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RunClaimedException and not OperationCanceledException and not ArgumentException)
        {
            // A run id shared with another node (a scheduler's firing) may be that node's live run: its journal
            // is not this attempt's to end. Only a run nobody journaled ends Failed here.
            if (await JournaledElsewhereAsync(run.RunId).ConfigureAwait(false))
            {
                throw;
            }

            return await _recorder.FailedAsync(run, ex).ConfigureAwait(false);
        }

        if (run.Attempt == 1)
        {
            await foreach (var earlier in _definition.Journal.ReadRunAsync(run.RunId, cancellationToken).ConfigureAwait(false))
            {
                // A run journaled before claims existed: its id is taken all the same.
                throw new RunClaimedException(claim, new RunClaim(run.RunId, earlier.ModelName, 1, "an earlier run", earlier.At));
            }
        }

        return null;
    }

    private async ValueTask<RetrainingRunResult> ExecuteAsync(RunState run, RetrainingRunOptions options, CancellationToken cancellationToken)
    {
        using var activity = RetrainingTelemetry.Source.StartActivity(RunRecorder.RunActivityName);
        activity?.SetTag("modelretraining.model", ModelName);
        activity?.SetTag("modelretraining.run_id", run.RunId);
        RetrainingRunResult result;
        var claim = new RunClaim(run.RunId, ModelName, run.Attempt, _holder, _definition.TimeProvider.GetUtcNow());
        using var live = _definition.Monitor?.Track(run.RunId, ModelName, run.Attempt);
        using var executing = live is null ? null : RunMonitor.Executes(live);
        run.Live = live;
        var lease = RunLeaseKeeper.Start(_definition.Journal, _requests, claim, _definition.Options.RunLease, _definition.TimeProvider, _definition.Logger, cancellationToken);
        await using var leaseScope = lease.ConfigureAwait(false);
        try
        {
            await StartAsync(run, options, lease.Token).ConfigureAwait(false);
            result = await RunStagesAsync(run, lease, lease.Token).ConfigureAwait(false);
            if (lease.LostReason is { } lost)
            {
                throw new RunTakenOverException(lost); // the last stage ended without seeing the cancellation: its end is not this attempt's to write
            }

            await _recorder.FinishAsync(run, result).ConfigureAwait(false);
        }
        catch (RunTakenOverException ex)
        {
            // Another attempt holds the run now: it writes the journal; this one stops without a word there.
            result = _recorder.TakenOver(run, ex);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
        }
        catch (Exception ex) when (lease.LostReason is { } lost)
        {
            // The claim was lost mid-stage (cancelled at once, whatever the stage threw): stop without writing.
            result = _recorder.TakenOver(run, new RunTakenOverException(lost, ex));
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, lost);
        }
        catch (Exception ex) when (lease.CancelRequest is { } request && !cancellationToken.IsCancellationRequested && (ex is OperationCanceledException || ex.GetBaseException() is OperationCanceledException))
        {
            // An operator asked (IRunRequestStore): the holder journals the cancel, whatever the stage threw on it.
            result = await _recorder.CancelledAsync(run, ex, request).ConfigureAwait(false);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "cancelled");
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            result = await _recorder.CancelledAsync(run, ex).ConfigureAwait(false);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "cancelled");
        }
        catch (Exception ex)
        {
            result = await _recorder.FailedAsync(run, ex).ConfigureAwait(false);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
        }

        if (lease.CancelRequest is not null && lease.LostReason is null)
        {
            await CloseCancelRequestAsync(run, result).ConfigureAwait(false);
        }

        live?.End(result.Status);
        if (result.Exception is not RunTakenOverException && result.Status != RetrainingRunStatus.Cancelled)
        {
            await ReportAnomaliesAsync(run, live?.Current).ConfigureAwait(false);
        }

        MarkFailed(activity, result);
        RetrainingTelemetry.Runs.Add(1, new KeyValuePair<string, object?>("model", ModelName), new KeyValuePair<string, object?>("status", result.Status.ToString()));
        return result;
    }

    // A new run journals the champion it starts against; a resumed one takes that champion from its first
    // attempt (it may have moved the alias itself) and finds the version it may have registered already.
    private async ValueTask StartAsync(RunState run, RetrainingRunOptions options, CancellationToken cancellationToken)
    {
        var registry = _definition.Registry;
        run.Causes = options.Causes;
        if (run.Resume is not { } resume)
        {
            run.Champion = await registry.GetAliasAsync(ModelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
            await _recorder.StartedAsync(run, options, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            run.Champion = resume.ChampionAtStart is { } number ? await registry.GetVersionAsync(ModelName, number, cancellationToken).ConfigureAwait(false) : null;
            await foreach (var version in registry.ListVersionsAsync(ModelName, cancellationToken).ConfigureAwait(false))
            {
                run.AlreadyRegistered = version.RunId == run.RunId ? version : run.AlreadyRegistered;
            }

            run.ResumedAfter = resume.LastCompleted ?? RetrainingStage.Queued;
            await _recorder.ResumedAsync(run, cancellationToken).ConfigureAwait(false);
        }

        run.Context = new RetrainingContext(ModelName, run.RunId, _definition.TimeProvider)
        {
            Actor = run.Actor,
            Champion = run.Champion,
            Progress = run.Live is null ? options.Progress : ProgressFanOut.Of(options.Progress, run.Live),
            Registry = registry,
        };
    }

    private async ValueTask<RetrainingRunResult> RunStagesAsync(RunState run, RunLeaseKeeper lease, CancellationToken cancellationToken)
    {
        foreach (var stage in _stages)
        {
            if (!stage.AppliesTo(run))
            {
                continue;
            }

            await FenceAsync(run, stage.Stage, cancellationToken).ConfigureAwait(false);

            // An operator's cancel is honoured between stages too, not only at the next renewal (a resumed run
            // whose holder died with a cancel pending ends here, before its first stage).
            if (await OpenCancelAsync(run, cancellationToken).ConfigureAwait(false) is { } cancel)
            {
                lease.CancelFor(cancel);
                throw new OperationCanceledException($"Run {run.RunId} of '{ModelName}': {cancel.Actor} asked for it to be cancelled ({cancel.Reason}).", cancellationToken);
            }

            // Registering and promoting are not cut short by an operator's cancel once begun (a run must not say
            // Cancelled after it moved the alias); a stage's completion is journaled whatever came meanwhile.
            var token = stage.Stage >= RetrainingStage.Registering ? lease.FinalStageToken : cancellationToken;
            var scope = _recorder.Begin(run, stage.Stage, stage.Describe(run));
            var outcome = await stage.RunAsync(run, token).ConfigureAwait(false);
            await _recorder.CompleteAsync(run, scope, outcome, token).ConfigureAwait(false);
            if (outcome.End is { } end)
            {
                return end;
            }
        }

        throw new InvalidOperationException($"Run {run.RunId} of '{ModelName}' went through every stage without an outcome; the gates decided {run.Decision?.Outcome.ToString() ?? "nothing"}.");
    }

    // Whether the journal has entries for the run. One it cannot read counts as no: the run then ends Failed as
    // before (a read-only or unreachable registry), and the journal entry that tries to say so fails there too.
    private async ValueTask<bool> JournaledElsewhereAsync(string runId)
    {
        try
        {
            await foreach (var _ in _definition.Journal.ReadRunAsync(runId, CancellationToken.None).ConfigureAwait(false))
            {
                return true;
            }

            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    // The open cancel of this run, if any; a store that does not answer counts as none (the renewal looks again).
    private async ValueTask<RunRequest?> OpenCancelAsync(RunState run, CancellationToken cancellationToken)
    {
        if (_requests is null)
        {
            return null;
        }

        try
        {
            return await _requests.GetOpenRequestAsync(run.RunId, RunRequestKind.Cancel, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            Log.RequestNotClosed(_definition.Logger, ex, run.RunId, ModelName);
            return null;
        }
    }

    // Says what became of an operator's cancel: the run cancelled at its stage, or ended before the cancel took effect.
    private async ValueTask CloseCancelRequestAsync(RunState run, RetrainingRunResult result)
    {
        var outcome = result.Status == RetrainingRunStatus.Cancelled
            ? $"cancelled during {run.Stage} (attempt {run.Attempt})"
            : $"not cancelled: the run ended {result.Status} before the cancel took effect";
        try
        {
            await _requests!.CloseRequestAsync(run.RunId, RunRequestKind.Cancel, outcome, _definition.TimeProvider.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The run's end is journaled; the request stays open and is closed by the next look at it.
            Log.RequestNotClosed(_definition.Logger, ex, run.RunId, ModelName);
        }
    }

    // Before each stage: an attempt whose claim a later attempt took over (its process stalled, another resumed it) must not write.
    private async ValueTask FenceAsync(RunState run, RetrainingStage next, CancellationToken cancellationToken)
    {
        var claim = await _definition.Journal.GetClaimAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        if (claim is not null && claim.Attempt != run.Attempt)
        {
            throw new RunTakenOverException($"Run {run.RunId} of '{ModelName}' was taken over by {claim.Holder} (attempt {claim.Attempt}, {claim.At:u}); attempt {run.Attempt} stopped before {next} without writing.");
        }
    }
}
