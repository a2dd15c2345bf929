using System.Diagnostics;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// Story: a child process retrains the house-prices model (ML.NET LightGBM, embedded SQLite registry)
/// and is killed with SIGKILL at each stage in turn, and right after the registration and the alias move
/// were committed. A new process resumes the run from the journal. Each time the registry ends with
/// exactly one new version, made by that run, and one alias move to it.
/// </summary>
public class CrashResumeScenarioTests
{
    private static readonly string[] KillPoints =
        ["Ingesting", "Validating", "Training", "Evaluating", "Gating", "Registering", "after-register", "Promoting", "after-promote"];

    private static string Houses => Path.Combine(AppContext.BaseDirectory, "data", "lucas-county-house-sales", "lucas_house_sales.csv.gz");

    private static string Worker => Path.Combine(AppContext.BaseDirectory, "ModelRetraining.CrashWorker.dll");

    [Fact]
    public async Task KilledAtEachStage_ANewProcessResumes_OneNewVersionAndOneAliasMove()
    {
        Assert.True(File.Exists(Worker), $"worker not built at {Worker}");
        var template = Path.Combine(Path.GetTempPath(), "mr-crash", Guid.NewGuid().ToString("N"), "template");
        var (seedCode, seedOutput) = await RunToEndAsync(template, "seed", "seed-run");
        Assert.True(seedCode == 0, seedOutput);

        // Two kill points at a time: each child is mostly single-threaded.
        using var slots = new SemaphoreSlim(2);
        var failures = await Task.WhenAll(KillPoints.Select(async point =>
        {
            await slots.WaitAsync();
            try
            {
                return await KillAndResumeAsync(template, point);
            }
            finally
            {
                slots.Release();
            }
        }));

        Assert.True(failures.All(f => f is null), string.Join(Environment.NewLine, failures.Where(f => f is not null)));
    }

    [Fact]
    public async Task TwoProcessesResumingTheSameKilledRun_OneResumes_TheOtherIsRefused_OneVersion()
    {
        var root = Path.Combine(Path.GetTempPath(), "mr-crash-race", Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(root, "registry");
        var (seedCode, seedOutput) = await RunToEndAsync(folder, "seed", "seed-run");
        Assert.True(seedCode == 0, seedOutput);
        await KillAtAsync(folder, "race-run", "Training");

        // Both start at once, as two nodes that both noticed the dead run would.
        var resumes = await Task.WhenAll(RunToEndAsync(folder, "resume", "-"), RunToEndAsync(folder, "resume", "-"));
        var outputs = string.Join(Environment.NewLine, resumes.Select(r => r.Output));

        Assert.Equal(1, resumes.Count(r => r.Output.Contains("RESUMED race-run Succeeded v2", StringComparison.Ordinal)));
        var registry = ModelRegistry.Embedded(folder);
        var versions = new List<ModelVersion>();
        await foreach (var v in registry.ListVersionsAsync("house-prices"))
        {
            versions.Add(v);
        }

        Assert.True(versions.Count == 2, outputs);
        Assert.Equal(2, (await registry.GetAliasAsync("house-prices", ModelAliases.Champion))?.Version);
        var journal = new List<RunJournalEntry>();
        await foreach (var e in registry.GetService<IRunJournal>()!.ReadRunAsync("race-run"))
        {
            journal.Add(e);
        }

        Assert.True(journal.Count(j => j.Status == RunJournalStatus.Resumed) == 1, outputs);
        Assert.Equal(RunJournalStatus.Succeeded, journal[^1].Status);
    }

    private static async Task KillAtAsync(string folder, string runId, string point)
    {
        using var child = Start(folder, "run", runId, point);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            string? line;
            do
            {
                line = await child.StandardOutput.ReadLineAsync(timeout.Token);
            }
            while (line is not null && !line.StartsWith("PAUSED", StringComparison.Ordinal));

            if (line is null)
            {
                Assert.Fail($"the child ended without reaching {point}: {await child.StandardError.ReadToEndAsync(timeout.Token)}");
            }
        }
        finally
        {
            // SIGKILL on Linux: no finally blocks, no flushes; and never a child left waiting if the test fails.
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }

            await child.WaitForExitAsync();
        }
    }

    private static async Task<string?> KillAndResumeAsync(string template, string point)
    {
        var folder = Path.Combine(Path.GetDirectoryName(template)!, point);
        CopyFolder(template, folder);
        var runId = $"crash-{point}";

        using (var child = Start(folder, "run", runId, point))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            string? line;
            do
            {
                line = await child.StandardOutput.ReadLineAsync(timeout.Token);
            }
            while (line is not null && !line.StartsWith("PAUSED", StringComparison.Ordinal));

            if (line is null)
            {
                return $"{point}: the child ended without reaching the kill point: {await child.StandardError.ReadToEndAsync(timeout.Token)}";
            }

            child.Kill(entireProcessTree: true); // SIGKILL on Linux: no finally blocks, no flushes.
            await child.WaitForExitAsync(timeout.Token);
        }

        var (code, output) = await RunToEndAsync(folder, "resume", "-");
        var registry = ModelRegistry.Embedded(folder);
        var versions = new List<ModelVersion>();
        await foreach (var v in registry.ListVersionsAsync("house-prices"))
        {
            versions.Add(v);
        }

        var history = new List<AliasHistoryEntry>();
        await foreach (var h in registry.GetAliasHistoryAsync("house-prices", ModelAliases.Champion))
        {
            history.Add(h);
        }

        var journal = new List<RunJournalEntry>();
        await foreach (var e in registry.GetService<IRunJournal>()!.ReadRunAsync(runId))
        {
            journal.Add(e);
        }

        var problems = new List<string>();
        if (code != 0 || !output.Contains($"RESUMED {runId} Succeeded v2", StringComparison.Ordinal))
        {
            problems.Add($"resume printed: {output}");
        }

        if (versions.Count != 2 || versions[1].RunId != runId)
        {
            problems.Add($"versions: {string.Join(", ", versions.Select(v => $"v{v.Version} run {v.RunId}"))}");
        }

        if (history.Count != 2 || history[1].FromVersion != 1 || history[1].ToVersion != 2)
        {
            problems.Add($"alias history: {string.Join(" | ", history)}");
        }

        if (journal.Count == 0 || journal[^1].Status != RunJournalStatus.Succeeded || journal.Count(j => j.Status == RunJournalStatus.Resumed) != 1)
        {
            problems.Add($"journal: {string.Join(", ", journal.Select(j => $"{j.Stage}:{j.Status}"))}");
        }

        if (await registry.GetService<IRunJournal>()!.ReadCheckpointAsync(runId, "candidate") is not null)
        {
            problems.Add("the candidate checkpoint was left behind");
        }

        return problems.Count == 0 ? null : $"{point}: {string.Join("; ", problems)}";
    }

    private static async Task<(int Code, string Output)> RunToEndAsync(string folder, string mode, string runId)
    {
        using var process = Start(folder, mode, runId, "none");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, $"{await stdout}{await stderr}");
    }

    private static Process Start(string folder, string mode, string runId, string pauseAt)
        => Process.Start(new ProcessStartInfo("dotnet", [Worker, folder, Houses, mode, runId, pauseAt])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
