using System.Text.Json;

namespace ModelRetraining;

/// <summary>Reads a run's journal to decide how it resumes: as whom, for what, against which champion, after which stage; and finds the runs whose process died.</summary>
internal sealed class ResumePlanner(PipelineDefinition definition)
{
    public async ValueTask<(RunState Run, RetrainingRunOptions Options)> PlanAsync(string runId, CancellationToken cancellationToken)
    {
        var entries = new List<RunJournalEntry>();
        await foreach (var entry in definition.Journal.ReadRunAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        if (entries.Count == 0)
        {
            throw new KeyNotFoundException($"The run journal has no run '{runId}' to resume.");
        }

        if (entries[0].ModelName != definition.ModelName)
        {
            throw new InvalidOperationException($"Run '{runId}' belongs to model '{entries[0].ModelName}', not to '{definition.ModelName}'; resume it with that model's pipeline.");
        }

        if (entries.LastOrDefault(e => e.Status.IsFinal()) is { } end)
        {
            throw new InvalidOperationException($"Run '{runId}' of '{definition.ModelName}' already ended ({end.Status.ToText()} at {end.Stage}, {end.At:u}); there is nothing to resume.");
        }

        // A resumer takes the attempt after the latest claim, unless that claim's holder is still running it.
        var held = await definition.Journal.GetClaimAsync(runId, cancellationToken).ConfigureAwait(false);
        var attempt = Math.Max(entries.Count(e => e.Status is RunJournalStatus.Started or RunJournalStatus.Resumed), held?.Attempt ?? 0) + 1;
        // (An attempt that journaled its end, failed or cancelled, holds nothing even while its process lives.)
        if (held is not null && !entries[^1].Status.EndsAttempt() && IsAlive(held))
        {
            throw new RunClaimedException(new RunClaim(runId, definition.ModelName, attempt, "this resume", definition.TimeProvider.GetUtcNow()), held);
        }

        var start = entries.FirstOrDefault(e => e.Status == RunJournalStatus.Started) is { Outputs: { } json }
            ? JsonSerializer.Deserialize<RunStart>(json, RunRecorder.JsonOptions)
            : null;
        var run = new RunState(definition.ModelName, runId, start?.Actor ?? definition.Actor, start?.Reason ?? "resumed run", entries[0].At)
        {
            Attempt = attempt,
            Resume = new ResumePoint(
                LastCompleted: entries.LastOrDefault(e => e.Status == RunJournalStatus.Completed)?.Stage,
                ChampionAtStart: start?.Champion,
                Training: entries.LastOrDefault(e => e.Stage == RetrainingStage.Training && e.Status == RunJournalStatus.Completed)),
        };
        var options = new RetrainingRunOptions { RunId = runId, Actor = run.Actor, Reason = run.Reason, Causes = start?.Causes ?? [] };
        return (run, options);
    }

    // A holder on this machine is alive while its process is (checked directly); one on another machine while
    // its claim was renewed within the run lease (a running attempt renews it every quarter of the lease).
    private bool IsAlive(RunClaim held)
        => RunHolders.IsOnThisMachine(held)
            ? RunHolders.IsRunning(held)
            : definition.TimeProvider.GetUtcNow() - held.At < definition.Options.RunLease;

    public async ValueTask<IReadOnlyList<string>> FindUnfinishedAsync(CancellationToken cancellationToken)
    {
        var unfinished = new List<string>();
        await foreach (var run in definition.Journal.ListRunsAsync(definition.ModelName, cancellationToken).ConfigureAwait(false))
        {
            if (run.IsUnfinished)
            {
                unfinished.Add(run.RunId);
            }
        }

        return unfinished;
    }
}
