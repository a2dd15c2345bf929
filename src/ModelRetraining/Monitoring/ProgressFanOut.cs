namespace ModelRetraining;

/// <summary>Hands each progress report to the caller's sink and to the run monitor's tracker.</summary>
internal sealed class ProgressFanOut(IProgress<RetrainingProgress> first, IProgress<RetrainingProgress> second) : IProgress<RetrainingProgress>
{
    public static IProgress<RetrainingProgress> Of(IProgress<RetrainingProgress>? caller, IProgress<RetrainingProgress> monitor)
        => caller is null ? monitor : new ProgressFanOut(caller, monitor);

    public void Report(RetrainingProgress value)
    {
        first.Report(value);
        second.Report(value);
    }
}
