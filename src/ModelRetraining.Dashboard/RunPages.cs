using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ModelRetraining.Dashboard;

/// <summary>A model's runs as a table, and one run's journal: every stage it entered, with status, time and duration.</summary>
internal static class RunPages
{
    public static async Task RunsTableAsync(DashboardRequest request, Html body, string model, string root, CancellationToken cancellationToken)
    {
        body.Tag("h2", "Runs").Raw("<table id=\"runs\">").Head("Run", "Started", "Trigger", "Stage", "Status", "Progress", "Heartbeat", "Duration", "Attempts");
        if (request.Registry.GetService<IRunJournal>() is not { } journal)
        {
            body.Raw("</table><p class=\"muted\">This registry keeps no run journal.</p>");
            return;
        }

        var runs = new List<RunSummary>();
        await foreach (var run in journal.ListRunsAsync(model, cancellationToken).ConfigureAwait(false))
        {
            runs.Add(run);
        }

        var now = request.Time.GetUtcNow();
        foreach (var run in runs.OrderByDescending(r => r.StartedAt).Take(100))
        {
            // An unfinished run's claim is renewed by its holder's heartbeat: one older than the lease is a run whose
            // process died or hangs, shown as crashed rather than running.
            var claim = run.IsUnfinished ? await journal.GetClaimAsync(run.RunId, cancellationToken).ConfigureAwait(false) : null;
            var crashed = claim is not null && now - claim.At > request.Site.Options.RunLease;
            var (status, css) = crashed ? ("Crashed (no heartbeat)", "status-Failed") : (run.Status.ToString(), $"status-{run.Status}");
            body.Raw("<tr><td>").Link($"{root}/runs/{Uri.EscapeDataString(run.RunId)}", run.RunId).Raw("</td>")
                .Tag("td", Html.When(run.StartedAt)).Tag("td", (await RunOrigin.ReadAsync(journal, run.RunId, cancellationToken).ConfigureAwait(false)).Describe(), "trigger")
                .Tag("td", run.Stage.ToString()).Tag("td", status, css)
                .Tag("td", request.Monitor?.Find(run.RunId) is { IsActive: true } live && live.ModelName == model ? LiveRunView.Summary(live) : string.Empty)
                .Tag("td", claim is null ? string.Empty : $"{Html.Span(now - claim.At)} ago ({claim.Holder})")
                .Tag("td", Html.Span(run.UpdatedAt - run.StartedAt), "num").Tag("td", run.Attempts.ToString(CultureInfo.InvariantCulture), "num").Raw("</tr>");
        }

        body.Raw("</table>");
    }

    // The same rules the pipeline logs when a run ends, judged now: a running stage already past its line and a
    // stopped heartbeat show while the run is still unfinished.
    private static async Task AnomaliesAsync(DashboardRequest request, Html body, string runId, LiveRun? live, CancellationToken cancellationToken)
    {
        body.Tag("h2", "Anomalies");
        var rules = new RunAnomalyRules(request.Site.Options.Anomalies);
        IReadOnlyList<RunAnomaly> anomalies;
        try
        {
            anomalies = await rules.FindAsync(request.Registry.GetService<IRunJournal>()!, runId, request.Time.GetUtcNow(), request.Site.Options.RunLease, live, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // The history could not be read now: the rest of the page (the journal read already) still shows.
            body.Raw("<p id=\"anomalies\" class=\"muted\">").Text($"Not judged: the model's recent runs could not be read ({ex.GetType().Name}).").Raw("</p>");
            return;
        }

        if (anomalies.Count == 0)
        {
            body.Raw("<p id=\"anomalies\" class=\"muted\">").Text($"None: no stage beyond mean + {rules.Options.SlowStageDeviations:0.#}σ of the last runs, heartbeat on time, metrics finite and not collapsed.").Raw("</p>");
            return;
        }

        body.Raw("<ul id=\"anomalies\" class=\"anomalies\">");
        foreach (var anomaly in anomalies)
        {
            body.Raw("<li class=\"bad\"><strong>").Text(anomaly.Kind.ToString()).Raw("</strong> ").Text(anomaly.Stage?.ToString() ?? string.Empty).Raw(": ").Text(anomaly.Message)
                .Raw(" <span class=\"muted\">").Text(string.Join(", ", anomaly.Parameters.Select(p => $"{p.Key}={p.Value}"))).Raw("</span></li>");
        }

        body.Raw("</ul>");
    }

    public static async Task<IResult> RunAsync(DashboardRequest request, string model, string runId, CancellationToken cancellationToken)
    {
        var entries = new List<RunJournalEntry>();
        if (RegistryNames.IsValid(model) && request.Registry.GetService<IRunJournal>() is { } journal)
        {
            await foreach (var entry in journal.ReadRunAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                if (entry.ModelName == model)
                {
                    entries.Add(entry);
                }
            }
        }

        if (entries.Count == 0)
        {
            return request.Site.Message(request, StatusCodes.Status404NotFound, "Unknown run", $"'{model}' has no run '{runId}' in the journal.", $"{request.Root}/");
        }

        var summary = RunSummary.FromEntries(entries);
        var live = request.Monitor?.Find(runId) is { } found && found.ModelName == model ? found : null;
        var body = new Html().Tag("h1", $"Run {runId}")
            .Raw("<p>").Text($"{model} · started {Html.When(summary.StartedAt)} · ").Raw($"<span id=\"run-status\" class=\"status-{summary.Status}\">").Text($"{summary.Status} at {summary.Stage}").Raw("</span></p>");
        LiveRunView.Render(body, live, $"{request.Root}/models/{Uri.EscapeDataString(model)}/runs/{Uri.EscapeDataString(runId)}/live");
        await AnomaliesAsync(request, body, runId, live, cancellationToken).ConfigureAwait(false);
        body.Tag("h2", "Journal").Raw("<table id=\"journal\">").Head("#", "Stage", "Status", "At", "Duration", "Outputs");
        foreach (var entry in entries.OrderBy(e => e.Sequence))
        {
            var outputs = entry.Outputs is { Length: > 300 } long_ ? long_[..300] + "…" : entry.Outputs;
            body.Row(entry.Sequence.ToString(CultureInfo.InvariantCulture), entry.Stage.ToString(), entry.Status.ToString(), Html.When(entry.At), entry.Duration > TimeSpan.Zero ? $"{entry.Duration.TotalSeconds:0.00} s" : string.Empty, outputs);
        }

        body.Raw("</table><p>").Link($"{request.Root}/models/{Uri.EscapeDataString(model)}", $"All runs of {model}").Raw("</p>");
        return request.Site.Page(request, $"Run {runId}", body);
    }
}
