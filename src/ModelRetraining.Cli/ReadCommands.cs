using System.Globalization;
using Spectre.Console;

namespace ModelRetraining.Cli;

/// <summary>Commands that only read: models, versions (list, show, diff), aliases (list, history), runs (list, show), approvals list.</summary>
internal static class ReadCommands
{
    public static async Task<int> ModelsAsync(IModelRegistry registry, Output output, CancellationToken cancellationToken)
    {
        var journal = registry.GetService<IRunJournal>();
        var open = await OpenAsync(registry, cancellationToken).ConfigureAwait(false);
        var models = new List<object>();
        var table = Output.Table("Model", "Champion", "Challenger", "Versions", "Last run", "Champion since", "Pending approvals");
        await foreach (var model in registry.ListModelsAsync(cancellationToken).ConfigureAwait(false))
        {
            var aliases = await AliasesAsync(registry, model, cancellationToken).ConfigureAwait(false);
            var versions = await VersionsAsync(registry, model, cancellationToken).ConfigureAwait(false);
            var history = await HistoryAsync(registry, model, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
            RunSummary? last = null;
            if (journal is not null)
            {
                await foreach (var run in journal.ListRunsAsync(model, cancellationToken).ConfigureAwait(false))
                {
                    last = last is null || run.StartedAt > last.StartedAt ? run : last;
                }
            }

            int? champion = aliases.TryGetValue(ModelAliases.Champion, out var c) ? c : null;
            int? challenger = aliases.TryGetValue("challenger", out var ch) ? ch : null;
            DateTimeOffset? since = champion is null ? null : history.Select(h => (DateTimeOffset?)h.At).Max();
            var pending = open.Count(r => r.ModelName == model);
            models.Add(new
            {
                name = model,
                champion,
                challenger,
                versions = versions.Count,
                lastRun = last is null ? null : new { id = last.RunId, status = last.Status.ToString(), stage = last.Stage.ToString(), startedAt = last.StartedAt, updatedAt = last.UpdatedAt },
                championSince = since,
                pendingApprovals = pending,
            });
            Output.Row(table, model, champion is { } v ? $"v{v}" : "none", challenger is { } w ? $"v{w}" : "—", versions.Count.ToString(CultureInfo.InvariantCulture), last is null ? "—" : $"{last.RunId}: {last.Status} at {last.Stage}", Output.When(since), pending.ToString(CultureInfo.InvariantCulture));
        }

        output.Result(models, console => console.Write(table));
        return ExitCodes.Ok;
    }

    public static async Task<int> VersionsAsync(IModelRegistry registry, string model, Output output, CancellationToken cancellationToken)
    {
        await ThrowIfUnknownAsync(registry, model, cancellationToken).ConfigureAwait(false);
        var aliases = await AliasesAsync(registry, model, cancellationToken).ConfigureAwait(false);
        var versions = await VersionsAsync(registry, model, cancellationToken).ConfigureAwait(false);
        var table = Output.Table("Version", "Aliases", "Created", "By", "Run", "Metrics");
        foreach (var v in versions.OrderByDescending(v => v.Version))
        {
            Output.Row(table, $"v{v.Version}", string.Join(", ", aliases.Where(a => a.Value == v.Version).Select(a => a.Key).Order(StringComparer.Ordinal)), Output.When(v.CreatedAt), v.CreatedBy, v.RunId, string.Join(", ", v.Metrics.Values.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => $"{m.Name} {m.Value:0.####}")));
        }

        output.Result(
            versions.OrderBy(v => v.Version).Select(v => new
            {
                version = v.Version,
                createdAt = v.CreatedAt,
                createdBy = v.CreatedBy,
                runId = v.RunId,
                aliases = aliases.Where(a => a.Value == v.Version).Select(a => a.Key).Order(StringComparer.Ordinal).ToArray(),
                metrics = v.Metrics.Values.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new { name = m.Name, value = m.Value, direction = m.Direction.ToString() }).ToArray(),
            }).ToArray(),
            console => console.Write(table));
        return ExitCodes.Ok;
    }

    public static async Task<int> ShowAsync(IModelRegistry registry, string model, int number, Output output, CancellationToken cancellationToken)
    {
        var v = await VersionAsync(registry, model, number, cancellationToken).ConfigureAwait(false);
        var document = new
        {
            model = v.ModelName,
            version = v.Version,
            createdAt = v.CreatedAt,
            createdBy = v.CreatedBy,
            parentVersion = v.ParentVersion,
            runId = v.RunId,
            flavor = v.Flavor,
            metrics = v.Metrics.Values.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new { name = m.Name, value = m.Value, direction = m.Direction.ToString() }).ToArray(),
            parameters = v.Parameters,
            datasets = v.Datasets.Select(d => new { role = d.Role, name = d.Name, fingerprint = d.Fingerprint, rows = d.Rows }).ToArray(),
            attachments = v.Attachments.Select(a => new { name = a.Name, fileName = a.FileName, bytes = a.Artifact.Length }).ToArray(),
            tags = v.Tags,
            decision = v.Decision,
        };
        output.Result(document, console =>
        {
            Output.Line(console, $"{v} — registered {Output.When(v.CreatedAt)} by {v.CreatedBy}{(v.RunId is null ? string.Empty : $" in run {v.RunId}")}");
            var metrics = Output.Table("Metric", "Value", "Better when");
            foreach (var m in v.Metrics.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                Output.Row(metrics, m.Name, m.Value.ToString("0.######", CultureInfo.InvariantCulture), m.Direction.ToString());
            }

            console.Write(metrics);
            var lineage = Output.Table("Role", "Data", "Rows", "Fingerprint");
            foreach (var d in v.Datasets)
            {
                Output.Row(lineage, d.Role, d.Name, d.Rows.ToString(CultureInfo.InvariantCulture), d.Fingerprint);
            }

            console.Write(lineage);
            var pairs = Output.Table("Parameter or tag", "Value");
            foreach (var (key, value) in v.Parameters.Concat(v.Tags.Select(t => KeyValuePair.Create($"tag {t.Key}", t.Value))))
            {
                Output.Row(pairs, key, value);
            }

            console.Write(pairs);
            Output.Line(console, $"attachments: {string.Join(", ", v.Attachments.Select(a => a.Name))}");
            Output.Line(console, "gate decision:");
            Output.Line(console, v.Decision ?? "none recorded");
        });
        return ExitCodes.Ok;
    }

    public static async Task<int> DiffAsync(IModelRegistry registry, string model, int from, int to, Output output, CancellationToken cancellationToken)
    {
        var diff = ModelVersionDiff.Between(await VersionAsync(registry, model, from, cancellationToken).ConfigureAwait(false), await VersionAsync(registry, model, to, cancellationToken).ConfigureAwait(false));
        var document = new
        {
            model,
            from,
            to,
            metrics = diff.Metrics.Select(m => new { name = m.Name, from = m.From, to = m.To, change = m.From is { } a && m.To is { } b ? b - a : (double?)null, direction = m.Direction.ToString() }).ToArray(),
            parameters = Changes(diff.Parameters),
            datasets = Changes(diff.Datasets),
            attachments = Changes(diff.Attachments),
            tags = Changes(diff.Tags),
        };
        output.Result(document, console =>
        {
            var metrics = Output.Table("Metric", $"v{from}", $"v{to}", "Change");
            foreach (var m in diff.Metrics)
            {
                Output.Row(metrics, m.Name, m.From?.ToString("0.######", CultureInfo.InvariantCulture), m.To?.ToString("0.######", CultureInfo.InvariantCulture), m.From is { } a && m.To is { } b ? (b - a).ToString("+0.######;-0.######;0", CultureInfo.InvariantCulture) : "—");
            }

            console.Write(metrics);
            var others = Output.Table("What", "Name", $"v{from}", $"v{to}");
            foreach (var (what, list) in new[] { ("parameter", diff.Parameters), ("lineage", diff.Datasets), ("attachment", diff.Attachments), ("tag", diff.Tags) })
            {
                foreach (var change in list)
                {
                    Output.Row(others, what, change.Name, change.From ?? "—", change.To ?? "—");
                }
            }

            console.Write(others);
        });
        return ExitCodes.Ok;
    }

    public static async Task<int> AliasesAsync(IModelRegistry registry, string model, Output output, CancellationToken cancellationToken)
    {
        await ThrowIfUnknownAsync(registry, model, cancellationToken).ConfigureAwait(false);
        var aliases = await AliasesAsync(registry, model, cancellationToken).ConfigureAwait(false);
        var table = Output.Table("Alias", "Version");
        foreach (var (alias, version) in aliases.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Output.Row(table, alias, $"v{version}");
        }

        output.Result(aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new { alias = a.Key, version = a.Value }).ToArray(), console => console.Write(table));
        return ExitCodes.Ok;
    }

    public static async Task<int> HistoryAsync(IModelRegistry registry, string model, string alias, Output output, CancellationToken cancellationToken)
    {
        await ThrowIfUnknownAsync(registry, model, cancellationToken).ConfigureAwait(false);
        var history = await HistoryAsync(registry, model, alias, cancellationToken).ConfigureAwait(false);
        var table = Output.Table("When", "From", "To", "Who", "Why");
        foreach (var entry in history)
        {
            Output.Row(table, Output.When(entry.At), entry.FromVersion is { } f ? $"v{f}" : "—", entry.ToVersion is { } t ? $"v{t}" : "removed", entry.Actor, entry.Reason);
        }

        output.Result(history.Select(e => new { at = e.At, from = e.FromVersion, to = e.ToVersion, actor = e.Actor, reason = e.Reason }).ToArray(), console => console.Write(table));
        return ExitCodes.Ok;
    }

    public static async Task<int> RunsAsync(IModelRegistry registry, string model, int last, Output output, CancellationToken cancellationToken)
    {
        await ThrowIfUnknownAsync(registry, model, cancellationToken).ConfigureAwait(false);
        var journal = Journal(registry);
        var all = new List<RunSummary>();
        await foreach (var run in journal.ListRunsAsync(model, cancellationToken).ConfigureAwait(false))
        {
            all.Add(run);
        }

        // The latest runs only (--last): each one's trigger is one more read of its journal.
        var runs = all.OrderByDescending(r => r.StartedAt).Take(last).ToList();
        var triggers = new Dictionary<string, RunOrigin>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            triggers[run.RunId] = await RunOrigin.ReadAsync(journal, run.RunId, cancellationToken).ConfigureAwait(false);
        }

        var table = Output.Table("Run", "Started", "Trigger", "Stage", "Status", "Duration", "Attempts");
        foreach (var run in runs)
        {
            var trigger = triggers.GetValueOrDefault(run.RunId) ?? RunOrigin.Unknown;
            Output.Row(table, run.RunId, Output.When(run.StartedAt), trigger.Describe(), run.Stage.ToString(), run.Status.ToString(), $"{(run.UpdatedAt - run.StartedAt).TotalSeconds:0.0} s", run.Attempts.ToString(CultureInfo.InvariantCulture));
        }

        output.Result(
            runs.OrderBy(r => r.StartedAt).Select(r =>
            {
                var trigger = triggers.GetValueOrDefault(r.RunId) ?? RunOrigin.Unknown;
                return new { id = r.RunId, status = r.Status.ToString(), stage = r.Stage.ToString(), startedAt = r.StartedAt, updatedAt = r.UpdatedAt, durationSeconds = (r.UpdatedAt - r.StartedAt).TotalSeconds, attempts = r.Attempts, unfinished = r.IsUnfinished, trigger = new { kinds = trigger.Kinds, actor = trigger.Actor, reason = trigger.Reason } };
            }).ToArray(),
            console =>
            {
                console.Write(table);
                if (all.Count > runs.Count)
                {
                    Output.Line(console, $"the latest {runs.Count} of {all.Count} runs (--last <n> for more)");
                }
            });
        return ExitCodes.Ok;
    }

    public static async Task<int> RunAsync(IModelRegistry registry, string runId, Output output, CancellationToken cancellationToken)
    {
        var entries = new List<RunJournalEntry>();
        await foreach (var entry in Journal(registry).ReadRunAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        if (entries.Count == 0)
        {
            throw new CliException(ExitCodes.NotFound, $"The journal has no run '{runId}'.");
        }

        var summary = RunSummary.FromEntries(entries);
        var table = Output.Table("#", "Stage", "Status", "At", "Duration", "Outputs");
        foreach (var e in entries.OrderBy(e => e.Sequence))
        {
            Output.Row(table, e.Sequence.ToString(CultureInfo.InvariantCulture), e.Stage.ToString(), e.Status.ToString(), Output.When(e.At), e.Duration > TimeSpan.Zero ? $"{e.Duration.TotalSeconds:0.00} s" : string.Empty, e.Outputs is { Length: > 120 } o ? o[..120] + "…" : e.Outputs);
        }

        var requests = new List<RunRequest>();
        if (registry.GetService<IRunRequestStore>() is { } store)
        {
            await foreach (var request in store.ReadRequestsAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                requests.Add(request);
            }
        }

        output.Result(
            new
            {
                id = runId,
                model = summary.ModelName,
                status = summary.Status.ToString(),
                stage = summary.Stage.ToString(),
                startedAt = summary.StartedAt,
                updatedAt = summary.UpdatedAt,
                entries = entries.OrderBy(e => e.Sequence).Select(e => new { sequence = e.Sequence, stage = e.Stage.ToString(), status = e.Status.ToString(), at = e.At, durationSeconds = e.Duration.TotalSeconds, outputs = e.Outputs }).ToArray(),
                requests = requests.Select(r => new { kind = r.Kind.ToString().ToLowerInvariant(), actor = r.Actor, reason = r.Reason, at = r.At, closedAt = r.ClosedAt, outcome = r.Outcome }).ToArray(),
            },
            console =>
            {
                Output.Line(console, $"run {runId} of {summary.ModelName}: {summary.Status} at {summary.Stage}");
                console.Write(table);
                foreach (var r in requests)
                {
                    Output.Line(console, $"{r.Kind.ToString().ToLowerInvariant()} asked by {r.Actor} at {Output.When(r.At)} ({r.Reason}): {(r.ClosedAt is null ? "open" : r.Outcome)}");
                }
            });
        return ExitCodes.Ok;
    }

    public static async Task<int> ApprovalsAsync(IModelRegistry registry, Output output, CancellationToken cancellationToken)
    {
        var open = await OpenAsync(registry, cancellationToken).ConfigureAwait(false);
        var table = Output.Table("Request", "Model", "Version", "Replaces", "Requested by", "Approvals", "Deadline");
        foreach (var r in open.OrderBy(r => r.RequestedAt))
        {
            Output.Row(table, r.Id, r.ModelName, $"v{r.Version}", r.ExpectedChampion is { } c ? $"v{c}" : "none", $"{r.RequestedBy} at {Output.When(r.RequestedAt)}", $"{r.Votes.Count(v => v.Approved)} of {r.Quorum}", Output.When(r.Deadline));
        }

        output.Result(open.OrderBy(r => r.RequestedAt).Select(Approval).ToArray(), console => console.Write(table));
        return ExitCodes.Ok;
    }

    internal static object Approval(ApprovalRequest r) => new
    {
        id = r.Id,
        model = r.ModelName,
        version = r.Version,
        expectedChampion = r.ExpectedChampion,
        status = r.Status.ToString(),
        requestedBy = r.RequestedBy,
        requestedAt = r.RequestedAt,
        quorum = r.Quorum,
        approvals = r.Votes.Count(v => v.Approved),
        fourEyes = r.FourEyes,
        deadline = r.Deadline,
        votes = r.Votes.Select(v => new { identity = v.Identity, approved = v.Approved, comment = v.Comment, at = v.At }).ToArray(),
    };

    internal static async Task ThrowIfUnknownAsync(IModelRegistry registry, string model, CancellationToken cancellationToken)
    {
        if (!RegistryNames.IsValid(model))
        {
            throw new CliException(ExitCodes.Usage, RegistryNames.Describe(model, "model name"));
        }

        await foreach (var name in registry.ListModelsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (name == model)
            {
                return;
            }
        }

        throw new CliException(ExitCodes.NotFound, $"The registry has no model '{model}'.");
    }

    internal static async Task<ModelVersion> VersionAsync(IModelRegistry registry, string model, int number, CancellationToken cancellationToken)
    {
        await ThrowIfUnknownAsync(registry, model, cancellationToken).ConfigureAwait(false);
        return await registry.GetVersionAsync(model, number, cancellationToken).ConfigureAwait(false) ?? throw new CliException(ExitCodes.NotFound, $"'{model}' has no version {number}.");
    }

    internal static IRunJournal Journal(IModelRegistry registry) => registry.GetService<IRunJournal>() ?? throw new CliException(ExitCodes.NotFound, "This registry keeps no run journal.");

    private static object[] Changes(IReadOnlyList<ValueDifference> changes) => [.. changes.Select(c => new { name = c.Name, from = c.From, to = c.To })];

    private static async Task<List<ApprovalRequest>> OpenAsync(IModelRegistry registry, CancellationToken cancellationToken)
    {
        var open = new List<ApprovalRequest>();
        if (registry.GetService<IApprovalStore>() is { } store)
        {
            await foreach (var r in store.ListOpenAsync(cancellationToken).ConfigureAwait(false))
            {
                open.Add(r);
            }
        }

        return open;
    }

    private static async Task<Dictionary<string, int>> AliasesAsync(IModelRegistry registry, string model, CancellationToken cancellationToken)
    {
        var aliases = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var a in registry.ListAliasesAsync(model, cancellationToken).ConfigureAwait(false))
        {
            aliases[a.Alias] = a.Version;
        }

        return aliases;
    }

    private static async Task<List<ModelVersion>> VersionsAsync(IModelRegistry registry, string model, CancellationToken cancellationToken)
    {
        var versions = new List<ModelVersion>();
        await foreach (var v in registry.ListVersionsAsync(model, cancellationToken).ConfigureAwait(false))
        {
            versions.Add(v);
        }

        return versions;
    }

    private static async Task<List<AliasHistoryEntry>> HistoryAsync(IModelRegistry registry, string model, string alias, CancellationToken cancellationToken)
    {
        var history = new List<AliasHistoryEntry>();
        await foreach (var e in registry.GetAliasHistoryAsync(model, alias, cancellationToken).ConfigureAwait(false))
        {
            history.Add(e);
        }

        return history;
    }
}
