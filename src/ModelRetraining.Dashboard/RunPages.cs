using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ModelRetraining.Dashboard;

/// <summary>A model's runs as a table, and one run's journal: every stage it entered, with status, time and duration.</summary>
internal static class RunPages
{
    public static async Task RunsTableAsync(DashboardRequest request, Html body, string model, string root, CancellationToken cancellationToken)
    {
        body.Tag("h2", "Runs").Raw("<table id=\"runs\">").Head("Run", "Started", "Stage", "Status", "Progress", "Duration", "Attempts");
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

        foreach (var run in runs.OrderByDescending(r => r.StartedAt).Take(100))
        {
            body.Raw("<tr><td>").Link($"{root}/runs/{Uri.EscapeDataString(run.RunId)}", run.RunId).Raw("</td>")
                .Tag("td", Html.When(run.StartedAt)).Tag("td", run.Stage.ToString()).Tag("td", run.Status.ToString(), $"status-{run.Status}")
                .Tag("td", request.Monitor?.Find(run.RunId) is { IsActive: true } live && live.ModelName == model ? LiveRunView.Summary(live) : string.Empty)
                .Tag("td", Html.Span(run.UpdatedAt - run.StartedAt), "num").Tag("td", run.Attempts.ToString(CultureInfo.InvariantCulture), "num").Raw("</tr>");
        }

        body.Raw("</table>");
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
