using System.Globalization;

namespace ModelRetraining.Cli;

/// <summary><c>mrt gc</c>: the registry folder's unreferenced artifacts, listed (a dry run) or deleted.</summary>
internal static class MaintenanceCommands
{
    public static async Task<int> GcAsync(IModelRegistry registry, string? folder, bool delete, TimeSpan minAge, Output output, CancellationToken cancellationToken)
    {
        var store = registry.GetService<IArtifactStore>() ?? throw new CliException(ExitCodes.Failed, "This registry has no artifact store to collect.");
        var sources = new List<IArtifactReferenceSource> { registry.GetService<IArtifactReferenceSource>() ?? throw new CliException(ExitCodes.Failed, "This registry cannot list the artifacts it references; nothing is collected.") };
        if (folder is not null && File.Exists(Path.Combine(folder, "datasets.db")))
        {
            sources.Add(DatasetStore.Embedded(folder)); // batches share the folder's artifacts: they are references too
        }

        ArtifactCollectionReport report;
        try
        {
            report = await ArtifactGarbageCollector.CollectAsync(store, sources, new ArtifactCollectionOptions { DryRun = !delete, MinAge = minAge }, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException ex)
        {
            throw new CliException(ExitCodes.Failed, ex.Message);
        }

        var table = Output.Table("Artifact", "Bytes", "Last written");
        foreach (var artifact in report.Unreferenced.OrderBy(a => a.LastWritten))
        {
            Output.Row(table, $"sha256:{artifact.Reference.Sha256[..16]}…", artifact.Reference.Length.ToString("N0", CultureInfo.InvariantCulture), Output.When(artifact.LastWritten));
        }

        output.Result(
            new
            {
                dryRun = report.DryRun,
                minAgeHours = minAge.TotalHours,
                stored = report.Stored,
                storedBytes = report.StoredBytes,
                referenced = report.Referenced,
                sparedAsTooYoung = report.SparedAsTooYoung,
                unreferenced = report.Unreferenced.Select(a => new { sha256 = a.Reference.Sha256, length = a.Reference.Length, lastWritten = a.LastWritten }).ToArray(),
                deleted = report.Deleted,
                deletedBytes = report.DeletedBytes,
                datasetsIncluded = sources.Count > 1,
            },
            console =>
            {
                Output.Line(console, $"{report.Stored} artifacts ({report.StoredBytes:N0} bytes): {report.Referenced} referenced, {report.Unreferenced.Count} unreferenced and older than {minAge.TotalHours:0.##} h, {report.SparedAsTooYoung} unreferenced but younger (spared){(sources.Count > 1 ? "; dataset batches counted as references" : string.Empty)}.");
                if (report.Unreferenced.Count > 0)
                {
                    console.Write(table);
                }

                Output.Line(console, report.DryRun
                    ? report.Unreferenced.Count == 0 ? "Nothing to collect." : "Dry run: nothing was deleted. Run again with --delete to delete them."
                    : $"Deleted {report.Deleted} ({report.DeletedBytes:N0} bytes).");
            });
        return ExitCodes.Ok;
    }

    /// <summary>Reads an age such as <c>24h</c>, <c>30m</c>, <c>7d</c> or <c>0</c>.</summary>
    public static TimeSpan Age(string? text)
    {
        if (text is null)
        {
            return TimeSpan.FromHours(24);
        }

        var unit = text.Length > 0 ? text[^1] : ' ';
        var digits = unit is 'd' or 'h' or 'm' ? text[..^1] : text;
        if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0 || unit is not ('d' or 'h' or 'm'))
        {
            throw new CliException(ExitCodes.Usage, $"--min-age '{text}' is not an age: a number with d, h or m (24h, 30m, 7d).");
        }

        var age = unit switch { 'd' => TimeSpan.FromDays(value), 'm' => TimeSpan.FromMinutes(value), _ => TimeSpan.FromHours(value) };
        return age >= ArtifactCollectionOptions.Shortest
            ? age
            : throw new CliException(ExitCodes.Usage, $"--min-age '{text}' is shorter than {ArtifactCollectionOptions.Shortest.TotalMinutes:0} minutes: a version registered meanwhile could lose bytes it reused.");
    }
}
