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
        if (champion is not null && definition.Options.VerifyRollbackReadiness && (await RollbackReadiness.CheckAsync(definition, champion, run, cancellationToken).ConfigureAwait(false)).Problem is { } problem)
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
}
