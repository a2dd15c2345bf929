using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>
/// An immutable retraining pipeline. Each <see cref="RunAsync(RetrainingRunOptions?, CancellationToken)"/>
/// ingests, validates, trains, evaluates the candidate and the champion on one holdout, asks every gate,
/// registers the candidate and moves the champion alias when all gates approve. Every stage is written
/// to the run journal. Expected outcomes (rejection, failure, cancellation) come back as a result, not as exceptions.
/// </summary>
public sealed class RetrainingPipeline
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly IDataSource _training;
    private readonly IDataSource _holdout;
    private readonly IReadOnlyList<IDataValidator> _validators;
    private readonly ITrainer _trainer;
    private readonly IEvaluator _evaluator;
    private readonly IReadOnlyList<IPromotionGate> _gates;
    private readonly IReadOnlyList<IInfraValidator> _infraValidators;
    private readonly RetrainingPipelineOptions _options;
    private readonly IReadOnlyList<SliceDefinition> _slices;
    private readonly long _minSliceRows;
    private readonly ApprovalPolicy _approvalPolicy;
    private readonly string _actor;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    internal RetrainingPipeline(
        string modelName,
        IDataSource training,
        IDataSource holdout,
        IReadOnlyList<IDataValidator> validators,
        ITrainer trainer,
        IEvaluator evaluator,
        IReadOnlyList<IPromotionGate> gates,
        IReadOnlyList<IInfraValidator> infraValidators,
        IModelRegistry registry,
        RetrainingPipelineOptions options,
        IReadOnlyList<SliceDefinition> slices,
        long minSliceRows,
        ApprovalPolicy approvalPolicy,
        string actor,
        TimeProvider timeProvider,
        ILogger logger)
    {
        ModelName = modelName;
        _training = training;
        _holdout = holdout;
        _validators = validators;
        _trainer = trainer;
        _evaluator = evaluator;
        _gates = gates;
        _infraValidators = infraValidators;
        Registry = registry;
        _options = options;
        _slices = slices;
        _minSliceRows = minSliceRows;
        _approvalPolicy = approvalPolicy;
        _actor = actor;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Gets the registered model the pipeline retrains.</summary>
    public string ModelName { get; }

    /// <summary>Gets the registry the pipeline writes to.</summary>
    public IModelRegistry Registry { get; }

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
        var run = new RunState(
            ModelName,
            options.RunId ?? Guid.CreateVersion7(_timeProvider.GetUtcNow()).ToString("N"),
            options.Actor ?? _actor,
            options.Reason,
            _timeProvider.GetUtcNow());
        return ExecuteAsync(run, options, null, cancellationToken);
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
        var entries = new List<RunJournalEntry>();
        await foreach (var entry in Registry.Journal.ReadRunAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        if (entries.Count == 0)
        {
            throw new KeyNotFoundException($"The run journal has no run '{runId}' to resume.");
        }

        if (entries[0].ModelName != ModelName)
        {
            throw new InvalidOperationException($"Run '{runId}' belongs to model '{entries[0].ModelName}', not to '{ModelName}'; resume it with that model's pipeline.");
        }

        if (entries.LastOrDefault(e => FinalStatuses.Contains(e.Status)) is { } end)
        {
            throw new InvalidOperationException($"Run '{runId}' of '{ModelName}' already ended ({end.Status} at {end.Stage}, {end.At:u}); there is nothing to resume.");
        }

        var start = entries.FirstOrDefault(e => e.Status == "started") is { Outputs: { } json }
            ? JsonSerializer.Deserialize<RunStart>(json, JsonOptions)
            : null;
        var run = new RunState(ModelName, runId, start?.Actor ?? _actor, start?.Reason ?? "resumed run", entries[0].At)
        {
            Attempt = entries.Count(e => e.Status is "started" or "resumed") + 1,
        };
        var resume = new ResumePoint(
            LastCompleted: entries.LastOrDefault(e => e.Status == "completed")?.Stage,
            ChampionAtStart: start?.Champion,
            Training: entries.LastOrDefault(e => e.Stage == RetrainingStage.Training && e.Status == "completed"));
        var options = new RetrainingRunOptions { RunId = runId, Actor = run.Actor, Reason = run.Reason, Causes = start?.Causes ?? [] };
        return await ExecuteAsync(run, options, resume, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists this model's runs that started but never ended: their process died. Each can be passed to <see cref="ResumeAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The run ids, oldest first.</returns>
    public async ValueTask<IReadOnlyList<string>> FindUnfinishedRunsAsync(CancellationToken cancellationToken = default)
    {
        var unfinished = new List<string>();
        await foreach (var runId in Registry.Journal.ListRunsAsync(ModelName, cancellationToken).ConfigureAwait(false))
        {
            var ended = false;
            await foreach (var entry in Registry.Journal.ReadRunAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                ended |= FinalStatuses.Contains(entry.Status) || entry.Status is "failed" or "cancelled";
            }

            if (!ended)
            {
                unfinished.Add(runId);
            }
        }

        return unfinished;
    }

    private async ValueTask<RetrainingRunResult> ExecuteAsync(RunState run, RetrainingRunOptions options, ResumePoint? resume, CancellationToken cancellationToken)
    {
        using var activity = RetrainingTelemetry.Source.StartActivity("ModelRetraining.Run");
        activity?.SetTag("modelretraining.model", ModelName);
        activity?.SetTag("modelretraining.run_id", run.RunId);

        try
        {
            var result = await RunStagesAsync(run, options, resume, cancellationToken).ConfigureAwait(false);
            await FinishAsync(run, result).ConfigureAwait(false);
            activity?.SetTag("modelretraining.status", result.Status.ToString());
            RetrainingTelemetry.Runs.Add(1, new KeyValuePair<string, object?>("model", ModelName), new KeyValuePair<string, object?>("status", result.Status.ToString()));
            return result;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            run.StageActivity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            run.StageActivity?.Dispose();
            Log.RunCancelled(_logger, run.RunId, ModelName, run.Stage);
            await TryJournalAsync(run, "cancelled", null, new { reason = "cancelled by the caller" }).ConfigureAwait(false);
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            RetrainingTelemetry.Runs.Add(1, new KeyValuePair<string, object?>("model", ModelName), new KeyValuePair<string, object?>("status", nameof(RetrainingRunStatus.Cancelled)));
            return run.End(RetrainingRunStatus.Cancelled, _timeProvider) with { Exception = ex, Reasons = [$"Cancelled during {run.Stage}."] };
        }
        catch (Exception ex)
        {
            run.StageActivity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            run.StageActivity?.Dispose();
            Log.RunFailed(_logger, ex, run.RunId, ModelName, run.Stage);
            await TryJournalAsync(run, "failed", null, new { error = ex.GetType().FullName, message = ex.Message }).ConfigureAwait(false);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            RetrainingTelemetry.Runs.Add(1, new KeyValuePair<string, object?>("model", ModelName), new KeyValuePair<string, object?>("status", nameof(RetrainingRunStatus.Failed)));
            return run.End(RetrainingRunStatus.Failed, _timeProvider) with
            {
                Exception = ex,
                Reasons = [$"{run.Stage} failed: {ex.Message}"],
            };
        }
    }

    private async ValueTask<RetrainingRunResult> RunStagesAsync(RunState run, RetrainingRunOptions options, ResumePoint? resume, CancellationToken cancellationToken)
    {
        run.Stage = RetrainingStage.Queued;
        run.Causes = options.Causes;
        ModelVersion? champion;
        ModelVersion? alreadyRegistered = null;
        if (resume is null)
        {
            champion = await Registry.GetAliasAsync(ModelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
            Log.RunStarted(_logger, run.RunId, ModelName, run.Actor, champion?.ToString() ?? "none");
            await Registry.Journal.AppendAsync(
                new RunJournalEntry(run.RunId, ModelName, RetrainingStage.Queued, "started", _timeProvider.GetUtcNow())
                {
                    Outputs = JsonSerializer.Serialize(new RunStart(run.Actor, run.Reason, champion?.Version, options.Causes), JsonOptions),
                },
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // The champion the run started against, not the alias now: this run may have moved it already.
            champion = resume.ChampionAtStart is { } number ? await Registry.GetVersionAsync(ModelName, number, cancellationToken).ConfigureAwait(false) : null;
            await foreach (var version in Registry.ListVersionsAsync(ModelName, cancellationToken).ConfigureAwait(false))
            {
                alreadyRegistered = version.RunId == run.RunId ? version : alreadyRegistered;
            }

            run.ResumedAfter = resume.LastCompleted ?? RetrainingStage.Queued;
            Log.RunResumed(_logger, run.RunId, ModelName, run.Attempt, run.ResumedAfter.Value, alreadyRegistered?.ToString() ?? "none");
            await Registry.Journal.AppendAsync(
                new RunJournalEntry(run.RunId, ModelName, RetrainingStage.Queued, "resumed", _timeProvider.GetUtcNow())
                {
                    Outputs = JsonSerializer.Serialize(new { attempt = run.Attempt, after = run.ResumedAfter.ToString(), registered = alreadyRegistered?.Version }, JsonOptions),
                },
                cancellationToken).ConfigureAwait(false);
        }

        run.Champion = champion;

        var context = new RetrainingContext(ModelName, run.RunId, _timeProvider)
        {
            Actor = run.Actor,
            Champion = champion,
            Progress = options.Progress,
            Registry = Registry,
        };

        // Ingest
        var stage = Begin(run, context, RetrainingStage.Ingesting, "reading training and holdout data");
        // Both sets are read at once: sources that parse files use a core each.
        var trainingLoad = _training.LoadAsync(context, cancellationToken).AsTask();
        var holdoutLoad = _holdout.LoadAsync(context, cancellationToken).AsTask();
        try
        {
            await Task.WhenAll(trainingLoad, holdoutLoad).ConfigureAwait(false);
        }
        catch (Exception) when (trainingLoad.IsFaulted || holdoutLoad.IsFaulted)
        {
            // Report the training source's problem first, as a sequential read would.
            (trainingLoad.IsFaulted ? trainingLoad : holdoutLoad).GetAwaiter().GetResult();
            throw;
        }

        var training = trainingLoad.Result;
        var holdout = holdoutLoad.Result;
        await CompleteAsync(run, stage, Fingerprints(training, holdout), new { training = Describe(training), holdout = Describe(holdout) }, cancellationToken).ConfigureAwait(false);

        // Validate
        stage = Begin(run, context, RetrainingStage.Validating, $"{_validators.Count} validators");
        var reports = new List<DataValidationReport>();
        foreach (var validator in _validators)
        {
            reports.Add(await validator.ValidateAsync(training, context, cancellationToken).ConfigureAwait(false));
            if (_options.ValidateHoldout)
            {
                reports.Add(await validator.ValidateAsync(holdout, context, cancellationToken).ConfigureAwait(false));
            }
        }

        run.Validation = reports;
        foreach (var issue in reports.SelectMany(r => r.Issues))
        {
            Log.DataIssue(_logger, run.RunId, issue.Source ?? string.Empty, issue.ToString());
            RetrainingTelemetry.DataIssues.Add(1, new KeyValuePair<string, object?>("model", ModelName), new KeyValuePair<string, object?>("severity", issue.Severity.ToString()));
        }

        if (holdout.RowCount < _options.MinHoldoutRows)
        {
            reports.Add(new DataValidationReport("holdout-size", holdout.Name, [new DataValidationIssue(ValidationSeverity.Error, "holdout.min-rows", $"The holdout '{holdout.Name}' has {holdout.RowCount} rows; an evaluation needs at least {_options.MinHoldoutRows} ({nameof(RetrainingPipelineOptions.MinHoldoutRows)}).") { Source = holdout.Name }]));
        }

        var errors = reports.SelectMany(r => r.Issues).Where(i => i.Severity == ValidationSeverity.Error).Select(i => i.Message).ToArray();
        var validationOutputs = reports.Select(r => new { r.Validator, r.DataSet, r.Issues }).ToArray();
        if (errors.Length > 0)
        {
            await CompleteAsync(run, stage, Fingerprints(training, holdout), validationOutputs, cancellationToken, "rejected").ConfigureAwait(false);
            return Rejected(run, errors);
        }

        await CompleteAsync(run, stage, Fingerprints(training, holdout), validationOutputs, cancellationToken).ConfigureAwait(false);
        training = WithoutQuarantined(training, reports);
        holdout = WithoutQuarantined(holdout, reports);

        // Train
        stage = Begin(run, context, RetrainingStage.Training, _trainer.Name);
        var (candidate, reusedFrom) = await TrainOrReuseAsync(run, training, context, resume, alreadyRegistered, cancellationToken).ConfigureAwait(false);
        var candidateHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(candidate.Artifact.Content.Span));
        await CompleteAsync(run, stage, training.Fingerprint, new TrainingRecord(_trainer.Name, $"sha256:{candidateHash}", candidate.Artifact.Flavor, candidate.Artifact.FileName, candidate.Artifact.Content.Length, candidate.Duration.TotalSeconds, candidate.Parameters, reusedFrom), cancellationToken).ConfigureAwait(false);

        // Evaluate
        stage = Begin(run, context, RetrainingStage.Evaluating, champion is null ? "candidate (no champion yet)" : $"candidate and champion {champion}");
        ChampionModel? championModel = null;
        if (champion is not null)
        {
            var artifact = await Registry.ReadArtifactAsync(champion, cancellationToken).ConfigureAwait(false);
            championModel = new ChampionModel(champion, artifact);
        }

        var evaluation = await _evaluator.EvaluateAsync(new EvaluationInput(candidate, championModel, holdout), context, cancellationToken).ConfigureAwait(false);
        evaluation = SliceEvaluator.AddSlices(evaluation, holdout, _slices, _minSliceRows, cancellationToken);
        run.Evaluation = evaluation;
        await CompleteAsync(run, stage, $"candidate sha256:{candidateHash}; champion {champion?.Artifact.Sha256 ?? "none"}; holdout {holdout.Fingerprint}", new { candidate = evaluation.Candidate.Metrics, champion = evaluation.Champion?.Metrics }, cancellationToken).ConfigureAwait(false);

        // Infra validation: the candidate as serving will run it.
        if (_infraValidators.Count > 0)
        {
            stage = Begin(run, context, RetrainingStage.InfraValidating, string.Join(", ", _infraValidators.Select(v => v.Name)));
            var infra = new List<InfraValidationReport>();
            foreach (var validator in _infraValidators)
            {
                infra.Add(await validator.ValidateAsync(new InfraValidationInput(candidate, holdout, evaluation.Candidate.Outputs), context, cancellationToken).ConfigureAwait(false));
            }

            run.InfraValidation = infra;
            var failures = infra.SelectMany(r => r.Problems.Select(p => $"Infra validation ({r.Validator}, {r.ExecutionProvider ?? "?"}): {p}")).ToArray();
            await CompleteAsync(run, stage, $"candidate sha256:{candidateHash}", infra, cancellationToken, failures.Length > 0 ? "rejected" : "completed").ConfigureAwait(false);
            if (failures.Length > 0)
            {
                return Rejected(run, failures);
            }
        }

        // Gate
        stage = Begin(run, context, RetrainingStage.Gating, $"{_gates.Count} gates");
        var decisions = new List<PromotionDecision>();
        foreach (var gate in _gates)
        {
            decisions.Add(await gate.DecideAsync(evaluation, context, cancellationToken).ConfigureAwait(false));
        }

        var decision = Combine(decisions);
        run.Decision = decision;
        var decisionJson = JsonSerializer.Serialize(decision, JsonOptions);
        await CompleteAsync(run, stage, $"candidate sha256:{candidateHash}", decision, cancellationToken).ConfigureAwait(false);

        if (decision.Outcome == PromotionOutcome.Rejected && !_options.RegisterRejectedCandidates)
        {
            return Rejected(run, decision.Reasons);
        }

        // Register
        stage = Begin(run, context, RetrainingStage.Registering, alreadyRegistered is null ? "registering the candidate" : $"already registered as {alreadyRegistered}");
        var registered = alreadyRegistered ?? await Registry.RegisterVersionAsync(
            new NewModelVersion(ModelName, candidate.Artifact, run.Actor)
            {
                ParentVersion = champion?.Version,
                RunId = run.RunId,
                Description = $"Trained by run {run.RunId} ({run.Reason}).",
                Metrics = evaluation.Candidate.Metrics,
                Parameters = candidate.Parameters,
                Datasets =
                [
                    new DatasetReference("training", training.Name, training.Fingerprint, training.RowCount),
                    new DatasetReference("holdout", holdout.Name, holdout.Fingerprint, holdout.RowCount),
                ],
                Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["decision"] = DecisionTag(decision.Outcome) },
                Decision = decisionJson,
                Attachments = Attachments(candidate, training, context, cancellationToken),
            },
            cancellationToken).ConfigureAwait(false);
        run.Registered = registered;
        await CompleteAsync(run, stage, $"candidate sha256:{candidateHash}", new { version = registered.Version, reused = alreadyRegistered is not null ? true : (bool?)null }, cancellationToken).ConfigureAwait(false);

        if (decision.Outcome == PromotionOutcome.Rejected)
        {
            run.Stage = RetrainingStage.Gating;
            return Rejected(run, decision.Reasons);
        }

        if (decision.Outcome == PromotionOutcome.PendingApproval)
        {
            run.Stage = RetrainingStage.AwaitingApproval;
            var now = _timeProvider.GetUtcNow();
            if (await Registry.Approvals.GetAsync(run.RunId, cancellationToken).ConfigureAwait(false) is null)
            {
                await ApprovalGateway.OpenAsync(
                    Registry,
                    new ApprovalRequest(run.RunId, ModelName, registered.Version, champion?.Version, run.Actor, now)
                    {
                        Quorum = _approvalPolicy.Quorum,
                        Deadline = _approvalPolicy.Deadline is { } wait ? now + wait : null,
                        EscalateOnExpiry = _approvalPolicy.EscalateOnExpiry,
                        FourEyes = _approvalPolicy.FourEyes,
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            await TryJournalAsync(run, "awaiting-approval", $"v{registered.Version}", new { version = registered.Version }).ConfigureAwait(false);
            Log.AwaitingApproval(_logger, run.RunId, ModelName, registered.Version);
            return run.End(RetrainingRunStatus.AwaitingApproval, _timeProvider) with
            {
                Reasons = [.. decision.Criteria.Where(c => c.Criterion is "first run" or "human approval").Select(c => c.Explanation), $"Approval request '{run.RunId}' waits for {_approvalPolicy.Quorum} approver(s)."],
            };
        }

        // Promote, once the way back is known to work.
        stage = Begin(run, context, RetrainingStage.Promoting, $"moving {ModelAliases.Champion} to v{registered.Version}");
        if (champion is not null && _options.VerifyRollbackReadiness && await RollbackTargetProblemAsync(champion, evaluation, holdout, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            await Registry.SetTagAsync(ModelName, registered.Version, "decision", "held", run.Actor, cancellationToken).ConfigureAwait(false);
            await CompleteAsync(run, stage, $"v{registered.Version}", new { held = problem }, cancellationToken, "rejected").ConfigureAwait(false);
            return Rejected(run, [$"Held, not promoted: rollback target not ready: {problem}"]);
        }

        var current = resume is null ? null : await Registry.GetAliasAsync(ModelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
        try
        {
            // A resumed run whose process died right after the move finds it made: it is not made twice.
            if (current?.Version != registered.Version)
            {
                await Registry.SetAliasAsync(
                    new AliasChange(ModelName, ModelAliases.Champion, registered.Version, champion?.Version, run.Actor, $"run {run.RunId}: all gates approved ({run.Reason})"),
                    cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AliasConflictException conflict)
        {
            await CompleteAsync(run, stage, $"v{registered.Version}", new { conflict = conflict.Message }, cancellationToken, "rejected").ConfigureAwait(false);
            return Rejected(run, [$"Not promoted: {conflict.Message}"]);
        }

        await CompleteAsync(run, stage, $"v{registered.Version}", new { from = champion?.Version, to = registered.Version }, cancellationToken).ConfigureAwait(false);
        RetrainingTelemetry.Promotions.Add(1, new KeyValuePair<string, object?>("model", ModelName));
        Log.RunSucceeded(_logger, run.RunId, ModelName, registered.Version, champion?.ToString() ?? "none");
        return run.End(RetrainingRunStatus.Succeeded, _timeProvider);
    }

    // The trainer's own extra artifacts (an ONNX export) and, unless turned off, the training data's profile and schema.
    private Dictionary<string, ModelArtifact> Attachments(TrainedModel candidate, DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken)
    {
        var attachments = new Dictionary<string, ModelArtifact>(candidate.Attachments, StringComparer.Ordinal);
        if (_options.StoreTrainingProfile)
        {
            var profile = ProfileCache.Get(context, training, cancellationToken);
            attachments[DriftValidator.ProfileAttachment] = new("profile", DriftValidator.ProfileAttachment, System.Text.Encoding.UTF8.GetBytes(profile.ToJson()));
            attachments[InferredSchema.Attachment] = new("schema", InferredSchema.Attachment, System.Text.Encoding.UTF8.GetBytes(InferredSchema.FromProfile(profile, training.Schema.LabelColumn).ToJson()));
        }

        return attachments;
    }

    // The candidate comes from, in order: the version this run already registered, the checkpoint an
    // interrupted attempt left (only when the training data is the same), or the trainer.
    private async ValueTask<(TrainedModel Candidate, string? ReusedFrom)> TrainOrReuseAsync(RunState run, DatasetSnapshot training, RetrainingContext context, ResumePoint? resume, ModelVersion? registered, CancellationToken cancellationToken)
    {
        if (registered is not null)
        {
            var artifact = await Registry.ReadArtifactAsync(registered, cancellationToken).ConfigureAwait(false);
            return (new TrainedModel(artifact, training.Fingerprint, TimeSpan.Zero) { Parameters = registered.Parameters, TrainingRows = training.RowCount }, registered.ToString());
        }

        if (resume?.Training is { Outputs: { } json } entry && JsonSerializer.Deserialize<TrainingRecord>(json, JsonOptions) is { } record)
        {
            if (entry.InputsFingerprint != training.Fingerprint)
            {
                Log.CheckpointStale(_logger, run.RunId, entry.InputsFingerprint ?? "none", training.Fingerprint);
            }
            else if (await Registry.Journal.ReadCheckpointAsync(run.RunId, CandidateCheckpoint, cancellationToken).ConfigureAwait(false) is { } bytes
                && $"sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))}" == record.Candidate)
            {
                var artifact = new ModelArtifact(record.Flavor, record.FileName, bytes);
                return (new TrainedModel(artifact, training.Fingerprint, TimeSpan.FromSeconds(record.Seconds)) { Parameters = record.Parameters, TrainingRows = training.RowCount }, "checkpoint");
            }
        }

        var candidate = await _trainer.TrainAsync(training, context, cancellationToken).ConfigureAwait(false);
        if (_options.CheckpointCandidate)
        {
            await Registry.Journal.SaveCheckpointAsync(run.RunId, CandidateCheckpoint, candidate.Artifact.Content, cancellationToken).ConfigureAwait(false);
        }

        return (candidate, null);
    }

    // Every run ends with one final journal entry; an ended run needs no checkpoint.
    private async ValueTask FinishAsync(RunState run, RetrainingRunResult result)
    {
        if (result.Status == RetrainingRunStatus.Succeeded)
        {
            await TryJournalAsync(run, "succeeded", $"v{result.RegisteredVersion?.Version}", new { version = result.RegisteredVersion?.Version, previous = result.PreviousChampion?.Version }).ConfigureAwait(false);
        }
        else if (result.Status == RetrainingRunStatus.Rejected && run.LastJournalStatus != "rejected")
        {
            await TryJournalAsync(run, "rejected", null, new { reasons = result.Reasons }).ConfigureAwait(false);
        }

        try
        {
            await Registry.Journal.DeleteCheckpointsAsync(run.RunId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelRegistryException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log.RunFailed(_logger, ex, run.RunId, ModelName, run.Stage);
        }
    }

    // The champion must still be loadable from the registry and give the outputs it gave in this run's
    // evaluation, so that a rollback after this promotion would serve what was measured.
    private async ValueTask<string?> RollbackTargetProblemAsync(ModelVersion champion, EvaluationReport evaluation, DatasetSnapshot holdout, CancellationToken cancellationToken)
    {
        ModelArtifact artifact;
        try
        {
            artifact = await Registry.ReadArtifactAsync(champion, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            return $"{champion}'s artifact cannot be read: {ex.Message}";
        }

        if (_evaluator is not IModelScorer scorer || evaluation.Champion?.Outputs is not { } recorded)
        {
            return null;
        }

        var rows = (int)Math.Min(_options.RollbackSampleRows, recorded.Scores.Length);
        PerRowOutputs rescored;
        try
        {
            var sample = holdout with { Data = new HeadDataView(holdout.Data, rows), RowCount = rows };
            rescored = await scorer.ScoreAsync(artifact, sample, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or FormatException or ArgumentException)
        {
            return $"{champion} does not load: {ex.Message}";
        }

        if (rescored.Scores.Length != rows)
        {
            return $"{champion} scored {rescored.Scores.Length} of {rows} sample rows.";
        }

        for (var i = 0; i < rows; i++)
        {
            var expected = recorded.Scores.Span[i];
            var actual = rescored.Scores.Span[i];
            if (Math.Abs(expected - actual) > 1e-5 * Math.Max(1, Math.Abs(expected)))
            {
                return $"{champion} scores holdout row {i + 1} as {actual}, but scored it {expected} during evaluation.";
            }
        }

        return null;
    }

    private static string DecisionTag(PromotionOutcome outcome) => outcome switch
    {
        PromotionOutcome.Approved => "approved",
        PromotionOutcome.Rejected => "rejected",
        _ => "pending-approval",
    };

    private static PromotionDecision Combine(List<PromotionDecision> decisions)
    {
        if (decisions.Count == 1)
        {
            return decisions[0];
        }

        var outcome = decisions.Any(d => d.Outcome == PromotionOutcome.Rejected)
            ? PromotionOutcome.Rejected
            : decisions.Any(d => d.Outcome == PromotionOutcome.PendingApproval) ? PromotionOutcome.PendingApproval : PromotionOutcome.Approved;
        return new PromotionDecision(outcome, decisions.SelectMany(d => d.Criteria).ToArray())
        {
            NoBaseline = decisions.Any(d => d.NoBaseline),
            FirstRunPolicy = string.Join(", ", decisions.Select(d => d.FirstRunPolicy).Where(p => p is not null).Distinct()) is { Length: > 0 } policies ? policies : null,
        };
    }

    // Rows a validator quarantined are left out of training and evaluation; the fingerprint says so.
    private static DatasetSnapshot WithoutQuarantined(DatasetSnapshot data, IReadOnlyList<DataValidationReport> reports)
    {
        var excluded = reports.Where(r => r.DataSet == data.Name).SelectMany(r => r.QuarantinedRows).ToHashSet();
        if (excluded.Count == 0)
        {
            return data;
        }

        var positions = string.Join(",", excluded.Order());
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(positions)))[..16];
        return data with
        {
            Data = new FilteredDataView(data.Data, excluded),
            RowCount = data.RowCount - excluded.Count,
            Fingerprint = $"{data.Fingerprint}-quarantined-{excluded.Count}-{hash}",
        };
    }

    private static string Fingerprints(DatasetSnapshot training, DatasetSnapshot holdout) => $"training {training.Fingerprint}; holdout {holdout.Fingerprint}";

    private static object Describe(DatasetSnapshot data) => new { data.Name, data.RowCount, data.Fingerprint, Schema = data.Schema.ToString() };

    private RetrainingRunResult Rejected(RunState run, IReadOnlyList<string> reasons)
    {
        Log.RunRejected(_logger, run.RunId, ModelName, run.Stage, string.Join(" | ", reasons));
        return run.End(RetrainingRunStatus.Rejected, _timeProvider) with { Reasons = reasons };
    }

    private StageScope Begin(RunState run, RetrainingContext context, RetrainingStage stage, string message)
    {
        run.Stage = stage;
        context.ReportProgress(stage, 0, message);
        var activity = RetrainingTelemetry.Source.StartActivity($"ModelRetraining.{stage}");
        activity?.SetTag("modelretraining.model", ModelName);
        activity?.SetTag("modelretraining.run_id", run.RunId);
        run.StageActivity = activity;
        return new StageScope(stage, _timeProvider.GetTimestamp(), activity, context);
    }

    private async ValueTask CompleteAsync(RunState run, StageScope scope, string? inputs, object? outputs, CancellationToken cancellationToken, string status = "completed")
    {
        var elapsed = _timeProvider.GetElapsedTime(scope.Started);
        scope.Activity?.SetTag("modelretraining.stage.status", status);
        scope.Activity?.Dispose();
        RetrainingTelemetry.StageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("model", ModelName), new KeyValuePair<string, object?>("stage", scope.Stage.ToString()));
        Log.StageCompleted(_logger, run.RunId, scope.Stage, elapsed.TotalMilliseconds);
        scope.Context.ReportProgress(scope.Stage, 1, status);
        run.LastJournalStatus = status;
        await Registry.Journal.AppendAsync(
            new RunJournalEntry(run.RunId, ModelName, scope.Stage, status, _timeProvider.GetUtcNow())
            {
                InputsFingerprint = inputs,
                Outputs = outputs is null ? null : JsonSerializer.Serialize(outputs, JsonOptions),
                Duration = elapsed,
            },
            cancellationToken).ConfigureAwait(false);
    }

    // The journal records how a run ended even when the run ended badly; if the journal itself is what
    // failed (a read-only registry, say), the result still carries the cause.
    private async ValueTask TryJournalAsync(RunState run, string status, string? inputs, object? outputs)
    {
        run.LastJournalStatus = status;
        try
        {
            await Registry.Journal.AppendAsync(
                new RunJournalEntry(run.RunId, ModelName, run.Stage, status, _timeProvider.GetUtcNow())
                {
                    InputsFingerprint = inputs,
                    Outputs = outputs is null ? null : JsonSerializer.Serialize(outputs, JsonOptions),
                },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelRegistryException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log.RunFailed(_logger, ex, run.RunId, ModelName, run.Stage);
        }
    }

    private const string CandidateCheckpoint = "candidate";

    // Statuses that end a run for good; a failed or cancelled run may still be resumed on request.
    private static readonly HashSet<string> FinalStatuses = new(StringComparer.Ordinal) { "succeeded", "rejected", "awaiting-approval" };

    private sealed record RunStart(string Actor, string Reason, int? Champion, IReadOnlyList<RetrainingTrigger> Causes);

    private sealed record TrainingRecord(string Trainer, string Candidate, string Flavor, string FileName, int Bytes, double Seconds, IReadOnlyDictionary<string, string> Parameters, string? ReusedFrom);

    private sealed record ResumePoint(RetrainingStage? LastCompleted, int? ChampionAtStart, RunJournalEntry? Training);

    private sealed record StageScope(RetrainingStage Stage, long Started, Activity? Activity, RetrainingContext Context);

    private sealed class RunState(string modelName, string runId, string actor, string reason, DateTimeOffset startedAt)
    {
        public string RunId { get; } = runId;

        public string Actor { get; } = actor;

        public string Reason { get; } = reason;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public RetrainingStage Stage { get; set; } = RetrainingStage.Queued;

        public ModelVersion? Champion { get; set; }

        public IReadOnlyList<RetrainingTrigger> Causes { get; set; } = [];

        public int Attempt { get; init; } = 1;

        public RetrainingStage? ResumedAfter { get; set; }

        public string? LastJournalStatus { get; set; }

        public Activity? StageActivity { get; set; }

        public IReadOnlyList<DataValidationReport> Validation { get; set; } = [];

        public EvaluationReport? Evaluation { get; set; }

        public IReadOnlyList<InfraValidationReport> InfraValidation { get; set; } = [];

        public PromotionDecision? Decision { get; set; }

        public ModelVersion? Registered { get; set; }

        public RetrainingRunResult End(RetrainingRunStatus status, TimeProvider timeProvider)
            => new(RunId, modelName, status, StartedAt, timeProvider.GetUtcNow())
            {
                Stage = Stage,
                Causes = Causes,
                Validation = Validation,
                Evaluation = Evaluation,
                Decision = Decision,
                PreviousChampion = Champion,
                RegisteredVersion = Registered,
                ResumedAfter = ResumedAfter,
                InfraValidation = InfraValidation,
            };
    }
}
