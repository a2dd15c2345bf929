namespace ModelRetraining;

/// <summary>
/// Whether the way back works before the champion is replaced: the champion's artifact reads back from the
/// registry with its SHA-256 verified, loads, and scores a sample of the holdout exactly as it did in this
/// run's evaluation. Promotion holds a candidate whose rollback target fails; an approval request carries the
/// result for its approvers to see.
/// </summary>
/// <param name="Target">The version a rollback would go back to (the champion).</param>
/// <param name="ArtifactVerified">Whether its artifact read back and matched its hash.</param>
/// <param name="RescoredRows">The holdout rows it scored again and matched; 0 when no scorer or recorded outputs allowed it.</param>
/// <param name="Problem">What is wrong, or <see langword="null"/> when the way back works.</param>
internal sealed record RollbackReadiness(int Target, bool ArtifactVerified, int RescoredRows, string? Problem)
{
    public static async ValueTask<RollbackReadiness> CheckAsync(PipelineDefinition definition, ModelVersion champion, RunState run, CancellationToken cancellationToken)
    {
        ModelArtifact artifact;
        try
        {
            artifact = await definition.Registry.ReadArtifactAsync(champion, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            return new RollbackReadiness(champion.Version, ArtifactVerified: false, RescoredRows: 0, $"{champion}'s artifact cannot be read: {ex.Message}");
        }

        // The scorer is asked for through decorators, so a logging evaluator keeps the rescoring on.
        if (definition.Evaluator.GetService<IModelScorer>() is not { } scorer || run.Evaluation?.Champion?.Outputs is not { } recorded)
        {
            return new RollbackReadiness(champion.Version, ArtifactVerified: true, RescoredRows: 0, Problem: null);
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
            return NotReproduced(champion, $"{champion} does not load: {ex.Message}");
        }

        if (rescored.Scores.Length != rows)
        {
            return NotReproduced(champion, $"{champion} scored {rescored.Scores.Length} of {rows} sample rows.");
        }

        for (var i = 0; i < rows; i++)
        {
            var expected = recorded.Scores.Span[i];
            var actual = rescored.Scores.Span[i];
            if (Math.Abs(expected - actual) > 1e-5 * Math.Max(1, Math.Abs(expected)))
            {
                return NotReproduced(champion, $"{champion} scores holdout row {i + 1} as {actual}, but scored it {expected} during evaluation.");
            }
        }

        return new RollbackReadiness(champion.Version, ArtifactVerified: true, RescoredRows: rows, Problem: null);
    }

    // Read and verified, but it does not give back what it gave.
    private static RollbackReadiness NotReproduced(ModelVersion champion, string problem) => new(champion.Version, ArtifactVerified: true, RescoredRows: 0, problem);
}
