namespace ModelRetraining.CrashWorker;

/// <summary>Stops the process when the chosen stage begins (progress reports are synchronous, on the run's own flow).</summary>
internal sealed class PauseAtStage(PausingRegistry registry) : IProgress<RetrainingProgress>
{
    public void Report(RetrainingProgress value)
    {
        if (value.Fraction == 0)
        {
            registry.PauseIf(value.Stage.ToString());
        }
    }
}
