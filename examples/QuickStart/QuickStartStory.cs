using System.Globalization;
using ModelRetraining;

namespace QuickStart;

/// <summary>What the quick start did, for the scenario test to check.</summary>
/// <param name="FirstRun">Training v1 on January–February.</param>
/// <param name="SecondRun">Retraining on March–May, judged against v1 on June.</param>
/// <param name="Versions">The registry's versions at the end.</param>
/// <param name="ChampionHistory">The champion alias history at the end.</param>
/// <param name="Rollback">The rollback's history entry, when the second run was promoted.</param>
public sealed record QuickStartOutcome(
    RetrainingRunResult FirstRun,
    RetrainingRunResult SecondRun,
    IReadOnlyList<ModelVersion> Versions,
    IReadOnlyList<AliasHistoryEntry> ChampionHistory,
    AliasHistoryEntry? Rollback);

/// <summary>The quick-start story: train, promote, new data arrives, retrain, judge, promote or not, roll back.</summary>
public static class QuickStartStory
{
    /// <summary>Runs the whole story. The registry folder is deleted and recreated first, so every run starts from v1.</summary>
    /// <param name="registryFolder">Where the registry lives.</param>
    /// <param name="dataFile">The flights CSV.</param>
    /// <param name="output">Where the story is told.</param>
    /// <param name="cancellationToken">Cancels the story.</param>
    /// <returns>What happened.</returns>
    public static async Task<QuickStartOutcome> RunAsync(string registryFolder, string dataFile, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(registryFolder))
        {
            Directory.Delete(registryFolder, recursive: true);
        }

        var registry = ModelRegistry.Embedded(registryFolder);
        var reports = Path.Combine(registryFolder, "reports");
        output.WriteLine($"Registry: {Path.GetFullPath(registryFolder)} (recreated on every run)");
        output.WriteLine($"Data:     {dataFile}");
        output.WriteLine();

        // 1. The first model: January–February, judged on the first week of March. No champion yet.
        output.WriteLine("== Run 1: train v1 on 2001-01-01 .. 2001-03-01, holdout 2001-03-01 .. 2001-03-08 ==");
        var first = await FlightDelays.Pipeline(registry, dataFile, (new(2001, 1, 1), new(2001, 3, 1)), (new(2001, 3, 1), new(2001, 3, 8)), reports)
            .Build()
            .RunAsync(new RetrainingRunOptions { Reason = "initial model", Progress = new StageProgress(output) }, cancellationToken);
        Report(first, output);

        // 2. New data for March–May arrives: validate it, retrain, and judge v2 against v1 on June.
        output.WriteLine("== Run 2: new data arrived; train on 2001-03-01 .. 2001-06-01, judge against the champion on June ==");
        var second = await FlightDelays.Pipeline(registry, dataFile, (new(2001, 3, 1), new(2001, 6, 1)), (new(2001, 6, 1), new(2001, 7, 1)), reports)
            .Build()
            .RunAsync(new RetrainingRunOptions { Reason = "new data: March-May", Progress = new StageProgress(output) }, cancellationToken);
        Report(second, output);

        var versions = await ToListAsync(registry.ListVersionsAsync("flight-delays", cancellationToken));
        // Each version's metrics are on its own holdout (v1 on early March, v2 on June): they are not a
        // comparison. The run's decision table above compares both models on the same holdout.
        output.WriteLine("== Registry versions (metrics on each version's own holdout) ==");
        foreach (var version in versions)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  v{version.Version}  {version.CreatedAt:u}  by {version.CreatedBy}  parent {(version.ParentVersion is { } p ? "v" + p : "-")}  decision {version.Tags.GetValueOrDefault("decision", "-")}  AUC {version.Metrics.GetValueOrDefault("AUC")?.Value:0.0000} on {version.Datasets.FirstOrDefault(d => d.Role == "holdout")?.Rows} holdout rows  sha256:{version.Artifact.Sha256[..12]}…"));
        }

        output.WriteLine();
        await PrintHistoryAsync(registry, output, cancellationToken);

        AliasHistoryEntry? rollback = null;
        if (second.Status == RetrainingRunStatus.Succeeded)
        {
            output.WriteLine("== Rollback: the operator moves the champion back ==");
            // <snippet:rollback>
            // The rollback names the version it moves away from: a second operator rolling back at once gets a conflict.
            rollback = await registry.RollbackAsync(new RollbackRequest("flight-delays", second.RegisteredVersion!.Version, "operator", "quick start: showing a one-call rollback"), cancellationToken);
            // </snippet:rollback>
            output.WriteLine($"  {rollback}");
            output.WriteLine();
            await PrintHistoryAsync(registry, output, cancellationToken);
        }

        var history = await ToListAsync(registry.GetAliasHistoryAsync("flight-delays", ModelAliases.Champion, cancellationToken));
        return new QuickStartOutcome(first, second, versions, history, rollback);
    }

    private static void Report(RetrainingRunResult result, TextWriter output)
    {
        output.WriteLine($"  Status: {result.Status}{(result.RegisteredVersion is { } v ? $" (registered v{v.Version})" : string.Empty)} in {(result.CompletedAt - result.StartedAt).TotalSeconds:0.0} s");
        var issues = result.Validation.SelectMany(r => r.Issues).ToArray();
        output.WriteLine($"  Validation: {result.Validation.Count} reports ({string.Join(", ", result.Validation.Select(r => r.Validator).Distinct())} on training and holdout), {(issues.Length == 0 ? "no issues" : $"{issues.Length} issues")}");
        foreach (var issue in issues)
        {
            output.WriteLine($"  Data: {issue}");
        }

        foreach (var file in result.Validation.SelectMany(r => r.ReportFiles).Where(f => f.EndsWith(".html", StringComparison.Ordinal)))
        {
            output.WriteLine($"  Drift report: {file}");
        }

        if (result.Decision is { } decision)
        {
            output.WriteLine($"  Decision: {decision.Outcome}{(decision.NoBaseline ? $" (no baseline; first-run policy {decision.FirstRunPolicy})" : string.Empty)}");
            output.WriteLine($"  {"criterion",-32} {"metric",-8} {"candidate",10} {"champion",10} {"difference",11} {"interval",-19} {"limit",-30} result");
            foreach (var c in decision.Criteria)
            {
                var interval = c.ConfidenceLower is { } lo && c.ConfidenceUpper is { } hi ? $"[{Number(lo)}, {Number(hi)}]" : "-";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Criterion,-32} {c.Metric,-8} {Number(c.CandidateValue),10} {Number(c.ChampionValue),10} {Number(c.Difference),11} {interval,-19} {c.Limit,-30} {(c.Passed ? "pass" : "FAIL")}"));
            }

            foreach (var c in decision.Criteria)
            {
                output.WriteLine($"    - {c.Explanation}");
            }
        }

        foreach (var reason in result.Reasons)
        {
            output.WriteLine($"  Reason: {reason}");
        }

        output.WriteLine();
    }

    private static async Task PrintHistoryAsync(IModelRegistry registry, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("== Champion alias history ==");
        await foreach (var entry in registry.GetAliasHistoryAsync("flight-delays", ModelAliases.Champion, cancellationToken))
        {
            output.WriteLine($"  {entry}");
        }

        output.WriteLine();
    }

    private static string Number(double? value) => value is { } v ? v.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture).TrimStart('+') : "-";

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
