namespace ModelRetraining;

/// <summary>
/// Moves the champion alias to the registered version, from the champion the run started against
/// (optimistic: a move made meanwhile rejects the run), once the way back is known to work: the champion
/// must still load from the registry and give the outputs it gave in this run's evaluation.
/// </summary>
internal sealed class PromoteStage(PipelineDefinition definition, RunRecorder recorder) : IRunStage
{
    public RetrainingStage Stage => RetrainingStage.Promoting;

    public bool AppliesTo(RunState run) => run.Decision?.Outcome == PromotionOutcome.Approved;

    public string Describe(RunState run) => $"moving {ModelAliases.Champion} to v{run.Registered!.Version}";

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        var registered = run.Registered!;
        var champion = run.Champion;
        var inputs = $"v{registered.Version}";
        if (champion is not null && definition.Options.VerifyRollbackReadiness && await RollbackTargetProblemAsync(champion, run, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            await definition.Registry.SetTagAsync(definition.ModelName, registered.Version, "decision", "held", run.Actor, cancellationToken).ConfigureAwait(false);
            return new StageOutcome(RunJournalStatus.Rejected, inputs, new { held = problem }) { End = recorder.Rejected(run, [$"Held, not promoted: rollback target not ready: {problem}"]) };
        }

        var current = run.Resume is null ? null : await definition.Registry.GetAliasAsync(definition.ModelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
        try
        {
            // A resumed run whose process died right after the move finds it made: it is not made twice.
            if (current?.Version != registered.Version)
            {
                await definition.Registry.SetAliasAsync(
                    new AliasChange(definition.ModelName, ModelAliases.Champion, registered.Version, champion?.Version, run.Actor, $"run {run.RunId}: all gates approved ({run.Reason})"),
                    cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AliasConflictException conflict)
        {
            return new StageOutcome(RunJournalStatus.Rejected, inputs, new { conflict = conflict.Message }) { End = recorder.Rejected(run, [$"Not promoted: {conflict.Message}"]) };
        }

        RetrainingTelemetry.Promotions.Add(1, new KeyValuePair<string, object?>("model", definition.ModelName));
        Log.RunSucceeded(definition.Logger, run.RunId, definition.ModelName, registered.Version, champion?.ToString() ?? "none");
        return StageOutcome.Completed(inputs, new { from = champion?.Version, to = registered.Version }) with { End = run.End(RetrainingRunStatus.Succeeded, definition.TimeProvider) };
    }

    private async ValueTask<string?> RollbackTargetProblemAsync(ModelVersion champion, RunState run, CancellationToken cancellationToken)
    {
        ModelArtifact artifact;
        try
        {
            artifact = await definition.Registry.ReadArtifactAsync(champion, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            return $"{champion}'s artifact cannot be read: {ex.Message}";
        }

        // The scorer is asked for through decorators, so a logging evaluator keeps the rescoring on.
        if (definition.Evaluator.GetService<IModelScorer>() is not { } scorer || run.Evaluation?.Champion?.Outputs is not { } recorded)
        {
            return null;
        }

        var rows = (int)Math.Min(definition.Options.RollbackSampleRows, recorded.Scores.Length);
        PerRowOutputs rescored;
        try
        {
            var sample = run.Holdout with { Data = new HeadDataView(run.Holdout.Data, rows), RowCount = rows };
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
}
