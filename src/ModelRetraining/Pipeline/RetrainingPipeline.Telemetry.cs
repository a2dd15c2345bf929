namespace ModelRetraining;

/// <summary>What a run tells beyond its journal when it ends: its span's error status and its anomalies.</summary>
public sealed partial class RetrainingPipeline
{
    // The run's anomalies, judged against the model's recent runs, logged as warnings with their figures. Never
    // fails the run: a journal that cannot be read now leaves them to the dashboard's next look.
    private async ValueTask ReportAnomaliesAsync(RunState run, LiveRun? live)
    {
        try
        {
            // Bounded: a slow journal delays the run's answer by five seconds at most, and the anomalies go unlogged.
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5), _definition.TimeProvider);
            var rules = new RunAnomalyRules(_definition.Options.Anomalies);
            var anomalies = await rules.FindAsync(_definition.Journal, run.RunId, _definition.TimeProvider.GetUtcNow(), _definition.Options.RunLease, live, limit.Token).ConfigureAwait(false);
            foreach (var anomaly in anomalies)
            {
                Log.RunAnomaly(_definition.Logger, run.RunId, ModelName, anomaly.Kind, anomaly.Stage?.ToString() ?? "-", anomaly.Message, string.Join(", ", anomaly.Parameters.Select(p => $"{p.Key}={SafeText.Escape(p.Value)}")));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.AnomaliesNotJudged(_definition.Logger, ex, run.RunId, ModelName);
        }
    }

    // OpenTelemetry's rules for a failed operation: status Error, the exception as an event, error.type
    // (the exception's type, or the run's status when a stage refused without one).
    private static void MarkFailed(System.Diagnostics.Activity? activity, RetrainingRunResult result)
    {
        activity?.SetTag("modelretraining.status", result.Status.ToString());
        if (activity is null || result.Status != RetrainingRunStatus.Failed)
        {
            return;
        }

        activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Exception?.Message ?? string.Join(" ", result.Reasons));
        activity.SetTag("error.type", result.Exception?.GetType().FullName ?? result.Status.ToString());
        if (result.Exception is { } exception)
        {
            activity.AddException(exception);
        }
    }
}
