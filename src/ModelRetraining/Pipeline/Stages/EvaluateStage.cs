namespace ModelRetraining;

/// <summary>Scores the candidate and the champion on the same holdout, then per slice from their per-row outputs.</summary>
internal sealed class EvaluateStage(PipelineDefinition definition) : IRunStage
{
    public RetrainingStage Stage => RetrainingStage.Evaluating;

    public bool AppliesTo(RunState run) => true;

    public string Describe(RunState run) => run.Champion is null ? "candidate (no champion yet)" : $"candidate and champion {run.Champion}";

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        ChampionModel? championModel = null;
        if (run.Champion is { } champion)
        {
            var artifact = await definition.Registry.ReadArtifactAsync(champion, cancellationToken).ConfigureAwait(false);
            championModel = new ChampionModel(champion, artifact);
        }

        var evaluation = await definition.Evaluator.EvaluateAsync(new EvaluationInput(run.Candidate, championModel, run.Holdout), run.Context, cancellationToken).ConfigureAwait(false);
        evaluation = SliceEvaluator.AddSlices(evaluation, run.Holdout, definition.Slices, definition.MinSliceRows, cancellationToken);
        run.Evaluation = evaluation;
        return StageOutcome.Completed(
            $"candidate sha256:{run.CandidateHash}; champion {run.Champion?.Artifact.Sha256 ?? "none"}; holdout {run.Holdout.Fingerprint}",
            new { candidate = evaluation.Candidate.Metrics, champion = evaluation.Champion?.Metrics });
    }
}
