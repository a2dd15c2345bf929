namespace ModelRetraining;

/// <summary>Reads the training and holdout data, both at once: sources that parse files use a core each.</summary>
internal sealed class IngestStage(PipelineDefinition definition) : IRunStage
{
    public RetrainingStage Stage => RetrainingStage.Ingesting;

    public bool AppliesTo(RunState run) => true;

    public string Describe(RunState run) => "reading training and holdout data";

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        var trainingLoad = definition.Training.LoadAsync(run.Context, cancellationToken).AsTask();
        var holdoutLoad = definition.Holdout.LoadAsync(run.Context, cancellationToken).AsTask();
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

        run.Training = trainingLoad.Result;
        run.Holdout = holdoutLoad.Result;

        // Short names can collide (train/data.csv and holdout/data.csv): reports are matched to a data set
        // by name, so two different data sets never share one.
        if (run.Training.Name == run.Holdout.Name && run.Training.Fingerprint != run.Holdout.Fingerprint)
        {
            run.Training = run.Training with { Name = $"{run.Training.Name} (training)" };
            run.Holdout = run.Holdout with { Name = $"{run.Holdout.Name} (holdout)" };
        }

        return StageOutcome.Completed(Fingerprints(run), new { training = Describe(run.Training), holdout = Describe(run.Holdout) });
    }

    internal static string Fingerprints(RunState run) => $"training {run.Training.Fingerprint}; holdout {run.Holdout.Fingerprint}";

    private static object Describe(DatasetSnapshot data) => new { data.Name, data.Location, data.RowCount, data.Fingerprint, Schema = data.Schema.ToString(), Ignored = data.IgnoredColumns.Count == 0 ? null : data.IgnoredColumns };
}
