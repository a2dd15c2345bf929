using System.Globalization;

namespace ModelRetraining.Cli;

/// <summary>
/// <c>mrt runs cancel</c> and <c>mrt runs resume</c>: the CLI cannot run a pipeline (its trainer and data are the
/// host's code), so it files a request beside the run journal (<see cref="IRunRequestStore"/>) and the host acts
/// on it — the run's holder cancels it at its next stage or lease renewal; a host's resume sweep resumes it.
/// With <c>--wait</c> the command stays until a host has closed the request and prints what it did.
/// </summary>
internal static class RunCommands
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RequestAsync(IModelRegistry registry, string runId, RunRequestKind kind, string actor, string reason, TimeSpan? wait, Output output, CancellationToken cancellationToken)
    {
        var verb = kind == RunRequestKind.Cancel ? "cancel" : "resume";
        RegistryNames.ThrowIfInvalid(runId, "run id", nameof(runId));
        var requests = registry.GetService<IRunRequestStore>() ?? throw new CliException(ExitCodes.Failed, "This registry keeps no run requests, so no host can be asked to act on a run.");
        var journal = ReadCommands.Journal(registry);
        var entries = new List<RunJournalEntry>();
        await foreach (var entry in journal.ReadRunAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        if (entries.Count == 0)
        {
            throw new CliException(ExitCodes.NotFound, $"The journal has no run '{runId}'. Nothing was changed.");
        }

        var run = RunSummary.FromEntries(entries);
        if (kind == RunRequestKind.Cancel ? !run.IsUnfinished : run.IsFinal)
        {
            throw new CliException(ExitCodes.Conflict, $"Run '{runId}' of '{run.ModelName}' already ended ({run.Status.ToText()} at {run.Stage}, {Output.When(run.UpdatedAt)}); there is nothing to {verb}. Nothing was changed.");
        }

        var claim = await journal.GetClaimAsync(runId, cancellationToken).ConfigureAwait(false);
        // Whole milliseconds: every store keeps them exactly (PostgreSQL keeps microseconds), so the request read
        // back equals this one unless another was already open.
        var now = TimeProvider.System.GetUtcNow();
        var asked = new RunRequest(runId, run.ModelName, kind, actor, reason, new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero));
        var filed = await requests.RequestAsync(asked, cancellationToken).ConfigureAwait(false);
        var alreadyOpen = filed != asked;
        var closed = wait is { } w ? await WaitForCloseAsync(requests, filed, w, cancellationToken).ConfigureAwait(false) : null;

        output.Result(
            new
            {
                run = runId,
                model = run.ModelName,
                kind = verb,
                actor = filed.Actor,
                reason = filed.Reason,
                at = filed.At,
                alreadyOpen,
                holder = claim?.Holder,
                attempt = claim?.Attempt,
                closedAt = closed?.ClosedAt,
                outcome = closed?.Outcome,
            },
            console =>
            {
                Output.Line(console, alreadyOpen
                    ? $"A {verb} of run {runId} ({run.ModelName}) was already asked by {filed.Actor} at {Output.When(filed.At)} ({filed.Reason}); nothing new was filed."
                    : $"{verb} of run {runId} ({run.ModelName}) asked by {filed.Actor}: {filed.Reason}");
                Output.Line(console, closed is { } c ? $"done: {c.Outcome}" : Expectation(kind, run, claim));
            });
        if (wait is not null && closed is null)
        {
            throw new CliException(ExitCodes.Failed, $"No host acted on the {verb} of run '{runId}' within {wait.Value.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s; the request stays open (is a host of '{run.ModelName}' running?).");
        }

        // A host that closed the request without doing it ("not resumed: ...", "not cancelled: ...") refused it.
        return closed?.Outcome?.StartsWith("not ", StringComparison.Ordinal) == true ? ExitCodes.Conflict : ExitCodes.Ok;
    }

    public static TimeSpan? Wait(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var unit = text.Length > 0 ? text[^1] : ' ';
        var digits = unit is 's' or 'm' ? text[..^1] : text;
        if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0 || unit is not ('s' or 'm') || (unit == 'm' ? value * 60 : value) > 86_400)
        {
            throw new CliException(ExitCodes.Usage, $"--wait '{text}' is not a duration of up to a day: a number with s or m (30s, 2m).");
        }

        return unit == 'm' ? TimeSpan.FromMinutes(value) : TimeSpan.FromSeconds(value);
    }

    private static string Expectation(RunRequestKind kind, RunSummary run, RunClaim? claim) => kind == RunRequestKind.Cancel
        ? $"Its holder ({claim?.Holder ?? "unknown"}) cancels it at its next stage or lease renewal; if that process died, the host that resumes the run ends it at once. 'mrt runs show {run.RunId}' shows the outcome."
        : $"A host of '{run.ModelName}' resumes it at its next resume sweep (RetrainingCoordinatorOptions.ResumeSweepInterval){(run.IsUnfinished ? ", once the run is no longer held by a live process" : string.Empty)}. 'mrt runs show {run.RunId}' shows the outcome.";

    private static async Task<RunRequest?> WaitForCloseAsync(IRunRequestStore requests, RunRequest filed, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetUtcNow() + wait;
        while (true)
        {
            await foreach (var request in requests.ReadRequestsAsync(filed.RunId, cancellationToken).ConfigureAwait(false))
            {
                if (request.Kind == filed.Kind && request.At == filed.At && request.ClosedAt is not null)
                {
                    return request;
                }
            }

            if (TimeProvider.System.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }
}
