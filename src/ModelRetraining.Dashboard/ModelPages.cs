using Microsoft.AspNetCore.Http;

namespace ModelRetraining.Dashboard;

/// <summary>The models overview, one model (versions, alias history, runs, rollback), one version and a diff of two.</summary>
internal static class ModelPages
{
    public static async Task<IResult> ModelsAsync(DashboardRequest request, CancellationToken cancellationToken)
    {
        var registry = request.Registry;
        var journal = registry.GetService<IRunJournal>();
        var open = await OpenApprovalsAsync(request.Approvals, cancellationToken).ConfigureAwait(false);
        var now = request.Time.GetUtcNow();
        var body = new Html().Tag("h1", "Models").Raw("<table id=\"models\">").Head("Model", "Champion", "Challenger", "Versions", "Last run", "Champion for", "Pending approvals");
        await foreach (var model in registry.ListModelsAsync(cancellationToken).ConfigureAwait(false))
        {
            var aliases = await AliasesAsync(registry, model, cancellationToken).ConfigureAwait(false);
            var champion = aliases.TryGetValue(ModelAliases.Champion, out var current) ? current : (int?)null;
            DateTimeOffset? championSince = null;
            await foreach (var move in registry.GetAliasHistoryAsync(model, ModelAliases.Champion, cancellationToken).ConfigureAwait(false))
            {
                championSince = championSince is null || move.At > championSince ? move.At : championSince;
            }

            var versions = 0;
            await foreach (var _ in registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false))
            {
                versions++;
            }

            RunSummary? last = null;
            if (journal is not null)
            {
                await foreach (var run in journal.ListRunsAsync(model, cancellationToken).ConfigureAwait(false))
                {
                    last = last is null || run.StartedAt > last.StartedAt ? run : last;
                }
            }

            body.Raw("<tr data-model=\"").Attribute(model).Raw("\"><td>").Link($"{request.Root}/models/{Uri.EscapeDataString(model)}", model).Raw("</td>")
                .Tag("td", champion is null ? "none" : $"v{champion}", "champion")
                .Tag("td", aliases.TryGetValue("challenger", out var challenger) ? $"v{challenger}" : "—")
                .Tag("td", versions.ToString(System.Globalization.CultureInfo.InvariantCulture), "num")
                .Tag("td", last is null ? "—" : $"{last.Status} at {last.Stage}, {Html.When(last.UpdatedAt)}")
                .Tag("td", championSince is { } since && champion is not null ? Html.Span(now - since) : "—")
                .Tag("td", open is null ? "no approval store" : open.Count(r => r.ModelName == model).ToString(System.Globalization.CultureInfo.InvariantCulture), "num pending")
                .Raw("</tr>");
        }

        body.Raw("</table>");
        return request.Site.Page(request, "Models", body);
    }

    public static async Task<IResult> ModelAsync(DashboardRequest request, string model, CancellationToken cancellationToken)
    {
        var registry = request.Registry;
        if (!await ExistsAsync(registry, model, cancellationToken).ConfigureAwait(false))
        {
            return request.Site.Message(request, StatusCodes.Status404NotFound, "Unknown model", $"The registry has no model named '{model}'.", $"{request.Root}/");
        }

        var root = $"{request.Root}/models/{Uri.EscapeDataString(model)}";
        var aliases = await AliasesAsync(registry, model, cancellationToken).ConfigureAwait(false);
        var body = new Html().Tag("h1", model);

        body.Tag("h2", "Versions").Raw("<table id=\"versions\">").Head("Version", "Aliases", "Created", "By", "Metrics", "Run");
        var versions = new List<ModelVersion>();
        await foreach (var version in registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false))
        {
            versions.Add(version);
        }

        foreach (var version in versions.OrderByDescending(v => v.Version))
        {
            var names = string.Join(", ", aliases.Where(a => a.Value == version.Version).Select(a => a.Key).Order(StringComparer.Ordinal));
            body.Raw("<tr><td>").Link($"{root}/versions/{version.Version}", $"v{version.Version}").Raw("</td>")
                .Tag("td", names).Tag("td", Html.When(version.CreatedAt)).Tag("td", version.CreatedBy)
                .Tag("td", string.Join(", ", version.Metrics.Values.OrderBy(m => m.Name, StringComparer.Ordinal).Take(4).Select(m => $"{m.Name} {m.Value:0.####}")))
                .Raw("<td>");
            if (version.RunId is { } runId)
            {
                body.Link($"{root}/runs/{Uri.EscapeDataString(runId)}", runId);
            }

            body.Raw("</td></tr>");
        }

        body.Raw("</table>");
        if (versions.Count >= 2)
        {
            var newest = versions.Max(v => v.Version);
            body.Raw("<p>").Link($"{root}/diff?from={newest - 1}&to={newest}", $"Compare v{newest - 1} with v{newest}").Raw("</p>");
        }

        body.Tag("h2", "Champion history").Raw("<table id=\"alias-history\">").Head("When", "From", "To", "Who", "Why");
        var history = new List<AliasHistoryEntry>();
        await foreach (var entry in registry.GetAliasHistoryAsync(model, ModelAliases.Champion, cancellationToken).ConfigureAwait(false))
        {
            history.Add(entry);
        }

        foreach (var entry in history.OrderByDescending(e => e.At))
        {
            body.Row(Html.When(entry.At), entry.FromVersion is { } f ? $"v{f}" : "—", entry.ToVersion is { } t ? $"v{t}" : "removed", entry.Actor, entry.Reason);
        }

        body.Raw("</table>");
        if (aliases.TryGetValue(ModelAliases.Champion, out var current) && await request.CanRollBackAsync().ConfigureAwait(false))
        {
            body.Tag("h2", "Roll back").Raw($"<form class=\"action\" method=\"post\" action=\"").Attribute($"{root}/rollback").Raw("\" data-confirm=\"").Attribute($"Roll {model} back from v{current}?").Raw("\">")
                .Raw(request.AntiforgeryField()).Raw($"<input type=\"hidden\" name=\"expected\" value=\"{current}\">")
                .Raw($"<textarea name=\"reason\" required maxlength=\"{request.Site.Options.MaxCommentLength}\" placeholder=\"Why (recorded in the history)\"></textarea>")
                .Raw($"<button class=\"rollback\" type=\"submit\">Roll back v{current}</button></form>");
        }

        await RunPages.RunsTableAsync(request, body, model, root, cancellationToken).ConfigureAwait(false);
        return request.Site.Page(request, model, body);
    }

    public static async Task<IResult> VersionAsync(DashboardRequest request, string model, int number, CancellationToken cancellationToken)
    {
        var version = RegistryNames.IsValid(model) ? await request.Registry.GetVersionAsync(model, number, cancellationToken).ConfigureAwait(false) : null;
        if (version is null)
        {
            return request.Site.Message(request, StatusCodes.Status404NotFound, "Unknown version", $"The registry has no version {number} of '{model}'.", $"{request.Root}/");
        }

        var body = new Html().Tag("h1", $"{model} v{number}").Raw("<p class=\"muted\">").Text($"Registered {Html.When(version.CreatedAt)} by {version.CreatedBy}{(version.ParentVersion is { } p ? $", retrained from v{p}" : string.Empty)}").Raw("</p>");
        body.Tag("h2", "Metrics").Raw("<table id=\"metrics\">").Head("Metric", "Value", "Better when");
        foreach (var metric in version.Metrics.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            body.Row(metric.Name, metric.Value.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture), metric.Direction.ToString());
        }

        body.Raw("</table>").Tag("h2", "Lineage").Raw("<table id=\"lineage\">").Head("Role", "Data", "Rows", "Fingerprint");
        foreach (var data in version.Datasets)
        {
            body.Row(data.Role, data.Name, data.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture), data.Fingerprint);
        }

        body.Raw("</table>");
        Pairs(body, "Parameters", version.Parameters);
        Pairs(body, "Tags", version.Tags);
        body.Tag("h2", "Attachments").Raw("<ul>");
        foreach (var attachment in version.Attachments)
        {
            body.Tag("li", $"{attachment.Name} ({attachment.FileName}, {attachment.Artifact.Length} bytes)");
        }

        body.Raw("</ul>").Tag("h2", "Gate decision").Tag("pre", version.Decision ?? "none recorded");
        return request.Site.Page(request, $"{model} v{number}", body);
    }

    public static async Task<IResult> DiffAsync(DashboardRequest request, string model, int? fromVersion, int? toVersion, CancellationToken cancellationToken)
    {
        if (fromVersion is not { } from || toVersion is not { } to)
        {
            return request.Site.Message(request, StatusCodes.Status400BadRequest, "Refused", "A diff names two versions: ?from=1&to=2.", $"{request.Root}/");
        }

        var registry = request.Registry;
        var a = RegistryNames.IsValid(model) ? await registry.GetVersionAsync(model, from, cancellationToken).ConfigureAwait(false) : null;
        var b = RegistryNames.IsValid(model) ? await registry.GetVersionAsync(model, to, cancellationToken).ConfigureAwait(false) : null;
        if (a is null || b is null)
        {
            return request.Site.Message(request, StatusCodes.Status404NotFound, "Unknown version", $"'{model}' has no version {(a is null ? from : to)}.", $"{request.Root}/");
        }

        var diff = ModelVersionDiff.Between(a, b);
        var body = new Html().Tag("h1", $"{model}: v{from} → v{to}").Raw("<table id=\"diff-metrics\">").Head("Metric", $"v{from}", $"v{to}", "Change");
        foreach (var metric in diff.Metrics)
        {
            var change = metric.From is { } x && metric.To is { } y ? (y - x).ToString("+0.######;-0.######;0", System.Globalization.CultureInfo.InvariantCulture) : "—";
            body.Row(metric.Name, metric.From?.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture) ?? "—", metric.To?.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture) ?? "—", change);
        }

        body.Raw("</table>");
        foreach (var (title, values) in new[] { ("Parameters", diff.Parameters), ("Lineage", diff.Datasets), ("Attachments", diff.Attachments), ("Tags", diff.Tags) })
        {
            body.Tag("h2", title).Raw("<table>").Head("Name", $"v{from}", $"v{to}");
            foreach (var value in values)
            {
                body.Row(value.Name, value.From ?? "—", value.To ?? "—");
            }

            body.Raw("</table>");
        }

        return request.Site.Page(request, $"{model} v{from} → v{to}", body);
    }

    internal static async Task<bool> ExistsAsync(IModelRegistry registry, string model, CancellationToken cancellationToken)
    {
        if (!RegistryNames.IsValid(model))
        {
            return false;
        }

        await foreach (var name in registry.ListModelsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (name == model)
            {
                return true;
            }
        }

        // A model whose first run is still going has no version yet, but its runs are there to see.
        if (registry.GetService<IRunJournal>() is { } journal)
        {
            await foreach (var _ in journal.ListRunsAsync(model, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    // Null when there is no approval store at all: "none pending" and "none kept" are different answers.
    internal static async Task<List<ApprovalRequest>?> OpenApprovalsAsync(IApprovalStore? store, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return null;
        }

        var open = new List<ApprovalRequest>();
        await foreach (var request in store.ListOpenAsync(cancellationToken).ConfigureAwait(false))
        {
            open.Add(request);
        }

        return open;
    }

    private static async Task<Dictionary<string, int>> AliasesAsync(IModelRegistry registry, string model, CancellationToken cancellationToken)
    {
        var aliases = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var alias in registry.ListAliasesAsync(model, cancellationToken).ConfigureAwait(false))
        {
            aliases[alias.Alias] = alias.Version;
        }

        return aliases;
    }

    private static void Pairs(Html body, string title, IReadOnlyDictionary<string, string> pairs)
    {
        body.Tag("h2", title).Raw("<table>").Head("Name", "Value");
        foreach (var (key, value) in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            body.Row(key, value);
        }

        body.Raw("</table>");
    }
}
