namespace ModelRetraining;

/// <summary>
/// An immutable retraining pipeline. Each <see cref="RunAsync(RetrainingRunOptions?, CancellationToken)"/>
/// drives the stages in order — ingest, validate, train, evaluate, infra-validate, gate, register, approval,
/// promote — each recorded in the run journal; the candidate and the champion are scored on one holdout and
/// the champion alias moves only when every gate approves. Expected outcomes (rejection, failure,
/// cancellation) come back as a result, not as exceptions.
/// </summary>
public sealed class RetrainingPipeline
{
    private readonly PipelineDefinition _definition;
    private readonly RunRecorder _recorder;
    private readonly ResumePlanner _planner;
    private readonly IReadOnlyList<IRunStage> _stages;

    internal RetrainingPipeline(PipelineDefinition definition)
    {
        _definition = definition;
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
    public ValueTask<RetrainingRunResult> RunAsync(RetrainingRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RetrainingRunOptions();
        var time = _definition.TimeProvider;
        var run = new RunState(
            ModelName,
            options.RunId ?? Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            options.Actor ?? _definition.Actor,
            options.Reason,
            time.GetUtcNow());
        return ExecuteAsync(run, options, cancellationToken);
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
    public async ValueTask<RetrainingRunResult> ResumeAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var (run, options) = await _planner.PlanAsync(runId, cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(run, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists this model's runs that started but never ended: their process died. Each can be passed to <see cref="ResumeAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The run ids, oldest first.</returns>
    public ValueTask<IReadOnlyList<string>> FindUnfinishedRunsAsync(CancellationToken cancellationToken = default)
        => _planner.FindUnfinishedAsync(cancellationToken);

    private async ValueTask<RetrainingRunResult> ExecuteAsync(RunState run, RetrainingRunOptions options, CancellationToken cancellationToken)
    {
        using var activity = RetrainingTelemetry.Source.StartActivity("ModelRetraining.Run");
        activity?.SetTag("modelretraining.model", ModelName);
        activity?.SetTag("modelretraining.run_id", run.RunId);
        RetrainingRunResult result;
        try
        {
            await StartAsync(run, options, cancellationToken).ConfigureAwait(false);
            result = await RunStagesAsync(run, cancellationToken).ConfigureAwait(false);
            await _recorder.FinishAsync(run, result).ConfigureAwait(false);
            activity?.SetTag("modelretraining.status", result.Status.ToString());
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
            Progress = options.Progress,
            Registry = registry,
        };
    }

    private async ValueTask<RetrainingRunResult> RunStagesAsync(RunState run, CancellationToken cancellationToken)
    {
        foreach (var stage in _stages)
        {
            if (!stage.AppliesTo(run))
            {
                continue;
            }

            var scope = _recorder.Begin(run, stage.Stage, stage.Describe(run));
            var outcome = await stage.RunAsync(run, cancellationToken).ConfigureAwait(false);
            await _recorder.CompleteAsync(run, scope, outcome, cancellationToken).ConfigureAwait(false);
            if (outcome.End is { } end)
            {
                return end;
            }
        }

        throw new InvalidOperationException($"Run {run.RunId} of '{ModelName}' went through every stage without an outcome; the gates decided {run.Decision?.Outcome.ToString() ?? "nothing"}.");
    }
}
