using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>
/// Records a run: for each stage one span, one duration measurement, one log line, progress at start and
/// end, and one journal entry; and the entries that start, resume and end the run. The one place that
/// writes the run journal, so every stage's entry has the same shape.
/// </summary>
internal sealed class RunRecorder(PipelineDefinition definition)
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string _modelName = definition.ModelName;
    private readonly IRunJournal _journal = definition.Journal;
    private readonly TimeProvider _time = definition.TimeProvider;
    private readonly ILogger _logger = definition.Logger;

    public async ValueTask StartedAsync(RunState run, RetrainingRunOptions options, CancellationToken cancellationToken)
    {
        Log.RunStarted(_logger, run.RunId, _modelName, SafeText.Escape(run.Actor), run.Champion?.ToString() ?? "none");
        var start = new RunStart(run.Actor, run.Reason, run.Champion?.Version, options.Causes);
        await AppendAsync(run, RetrainingStage.Queued, RunJournalStatus.Started, null, start, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ResumedAsync(RunState run, CancellationToken cancellationToken)
    {
        Log.RunResumed(_logger, run.RunId, _modelName, run.Attempt, run.ResumedAfter ?? RetrainingStage.Queued, run.AlreadyRegistered?.ToString() ?? "none");
        var outputs = new { attempt = run.Attempt, after = run.ResumedAfter.ToString(), registered = run.AlreadyRegistered?.Version };
        await AppendAsync(run, RetrainingStage.Queued, RunJournalStatus.Resumed, null, outputs, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    internal const string RunActivityName = "ModelRetraining.Run";

    public StageScope Begin(RunState run, RetrainingStage stage, string message)
    {
        run.Stage = stage;
        run.Context.ReportProgress(stage, 0, message);
        // A stage ends in another async flow than the one it began in, so Activity.Current may still be the
        // stage before: each stage is the run's child, not its predecessor's.
        var current = Activity.Current;
        while (current is not null && current.OperationName != RunActivityName)
        {
            current = current.Parent;
        }

        if (current is not null)
        {
            Activity.Current = current;
        }

        var activity = RetrainingTelemetry.Source.StartActivity($"ModelRetraining.{stage}");
        activity?.SetTag("modelretraining.model", _modelName);
        activity?.SetTag("modelretraining.run_id", run.RunId);
        run.StageActivity = activity;
        return new StageScope(stage, _time.GetTimestamp(), activity);
    }

    public async ValueTask CompleteAsync(RunState run, StageScope scope, StageOutcome outcome, CancellationToken cancellationToken)
    {
        var elapsed = _time.GetElapsedTime(scope.Started);
        var status = outcome.Status.ToText();
        scope.Activity?.SetTag("modelretraining.stage.status", status);
        scope.Activity?.Dispose();
        run.StageActivity = null;
        RetrainingTelemetry.StageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("model", _modelName), new KeyValuePair<string, object?>("stage", scope.Stage.ToString()));
        Log.StageCompleted(_logger, run.RunId, scope.Stage, elapsed.TotalMilliseconds);
        run.Context.ReportProgress(scope.Stage, 1, status);
        await AppendAsync(run, scope.Stage, outcome.Status, outcome.Inputs, outcome.Outputs, elapsed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the run as rejected with reasons: a normal outcome, logged as a warning.</summary>
    public RetrainingRunResult Rejected(RunState run, IReadOnlyList<string> reasons)
    {
        Log.RunRejected(_logger, run.RunId, _modelName, run.Stage, SafeText.Escape(string.Join(" | ", reasons)));
        return run.End(RetrainingRunStatus.Rejected, _time) with { Reasons = reasons };
    }

    /// <summary>Writes the entry that ends the run (succeeded, or rejected when no stage wrote it) and drops its checkpoints.</summary>
    public async ValueTask FinishAsync(RunState run, RetrainingRunResult result)
    {
        if (result.Status == RetrainingRunStatus.Succeeded)
        {
            await TryAppendAsync(run, RunJournalStatus.Succeeded, $"v{result.RegisteredVersion?.Version}", new { version = result.RegisteredVersion?.Version, previous = result.PreviousChampion?.Version }).ConfigureAwait(false);
        }
        else if (result.Status == RetrainingRunStatus.Rejected && run.LastJournalStatus != RunJournalStatus.Rejected)
        {
            await TryAppendAsync(run, RunJournalStatus.Rejected, null, new { reasons = result.Reasons }).ConfigureAwait(false);
        }

        try
        {
            await _journal.DeleteCheckpointsAsync(run.RunId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsJournalFailure(ex))
        {
            Log.RunFailed(_logger, ex, run.RunId, _modelName, run.Stage);
        }
    }

    public async ValueTask<RetrainingRunResult> CancelledAsync(RunState run, Exception cancellation, RunRequest? request = null)
    {
        EndStageActivity(run, "cancelled");
        Log.RunCancelled(_logger, run.RunId, _modelName, run.Stage);
        if (request is null)
        {
            await TryAppendAsync(run, RunJournalStatus.Cancelled, null, new { reason = "cancelled by the caller" }).ConfigureAwait(false);
            return run.End(RetrainingRunStatus.Cancelled, _time) with { Exception = cancellation, Reasons = [$"Cancelled during {run.Stage}."] };
        }

        await TryAppendAsync(run, RunJournalStatus.Cancelled, null, new { reason = $"cancelled by {request.Actor}: {request.Reason}", requestedBy = request.Actor, requestedAt = request.At }).ConfigureAwait(false);
        return run.End(RetrainingRunStatus.Cancelled, _time) with { Exception = cancellation, Reasons = [$"Cancelled during {run.Stage} at the request of {request.Actor}: {request.Reason}"] };
    }

    /// <summary>Ends an attempt that lost its claim: logged, not journaled, because the run's journal belongs to the attempt that took it over.</summary>
    public RetrainingRunResult TakenOver(RunState run, Exception takeover)
    {
        EndStageActivity(run, takeover.Message);
        Log.RunFailed(_logger, takeover, run.RunId, _modelName, run.Stage);
        return run.End(RetrainingRunStatus.Failed, _time) with { Exception = takeover, Reasons = [takeover.Message] };
    }

    public async ValueTask<RetrainingRunResult> FailedAsync(RunState run, Exception failure)
    {
        EndStageActivity(run, failure.Message);
        Log.RunFailed(_logger, failure, run.RunId, _modelName, run.Stage);
        await TryAppendAsync(run, RunJournalStatus.Failed, null, new { error = failure.GetType().FullName, message = failure.Message }).ConfigureAwait(false);
        return run.End(RetrainingRunStatus.Failed, _time) with { Exception = failure, Reasons = [$"{run.Stage} failed: {failure.Message}"] };
    }

    /// <summary>Journals an end even when the run ended badly; if the journal itself is what failed (a read-only registry, say), the result still carries the cause.</summary>
    private async ValueTask TryAppendAsync(RunState run, RunJournalStatus status, string? inputs, object? outputs)
    {
        try
        {
            await AppendAsync(run, run.Stage, status, inputs, outputs, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsJournalFailure(ex))
        {
            Log.RunFailed(_logger, ex, run.RunId, _modelName, run.Stage);
        }
    }

    private async ValueTask AppendAsync(RunState run, RetrainingStage stage, RunJournalStatus status, string? inputs, object? outputs, TimeSpan duration, CancellationToken cancellationToken)
    {
        run.LastJournalStatus = status;
        await _journal.AppendAsync(
            new RunJournalEntry(run.RunId, _modelName, stage, status, _time.GetUtcNow())
            {
                InputsFingerprint = inputs,
                Outputs = outputs is null ? null : JsonSerializer.Serialize(outputs, JsonOptions),
                Duration = duration,
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static void EndStageActivity(RunState run, string description)
    {
        run.StageActivity?.SetStatus(ActivityStatusCode.Error, description);
        run.StageActivity?.Dispose();
        run.StageActivity = null;
    }

    private static bool IsJournalFailure(Exception ex) => ex is ModelRegistryException or IOException or UnauthorizedAccessException or InvalidOperationException;

    internal sealed record StageScope(RetrainingStage Stage, long Started, Activity? Activity);
}
