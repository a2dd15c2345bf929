using System.Diagnostics;
using System.Globalization;
using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>
/// Three processes (ModelRetraining.RegistryWorker) register versions of one model on one PostgreSQL schema and
/// race to move its champion from the version each last read: no version number is given twice, and the
/// alias history is one unbroken chain in which every won race moved the alias from where the previous left it.
/// </summary>
public sealed class CrossProcessPromotionTests
{
    [Fact]
    public async Task Promotions_RacingAcrossProcesses_EveryMoveChainsFromThePreviousAndVersionsAreUnique()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        const int perProcess = 20;
        var worker = Path.Combine(AppContext.BaseDirectory, "ModelRetraining.RegistryWorker.dll");
        Assert.True(File.Exists(worker), $"worker not built at {worker}");

        var processes = Enumerable.Range(0, 3).Select(i =>
        {
            var start = new ProcessStartInfo("dotnet", [worker, "pg:race", "churn", perProcess.ToString(CultureInfo.InvariantCulture), $"node{i}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["MR_WORKER_POSTGRES"] = database;
            return Process.Start(start)!;
        }).ToArray();
        var promoted = 0;
        foreach (var process in processes)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var stdout = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"worker failed: {stdout} {stderr}");
            promoted += int.Parse(stdout.Split("promoted=")[1].Split(' ')[0], CultureInfo.InvariantCulture);
        }

        await using var registry = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(database, new PostgreSqlRegistryOptions { Schema = "race" });
        var versions = await ConformanceData.ToListAsync(registry.ListVersionsAsync("churn"));
        Assert.Equal(Enumerable.Range(1, 3 * perProcess), versions.Select(v => v.Version));
        Assert.Equal(3 * perProcess, versions.Select(v => v.Artifact.Sha256).Distinct().Count());

        var history = await ConformanceData.ToListAsync(registry.GetAliasHistoryAsync("churn", ModelAliases.Champion));
        Assert.Equal(promoted, history.Count);
        Assert.Null(history[0].FromVersion);
        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i - 1].ToVersion, history[i].FromVersion);
        }

        Assert.Equal(history[^1].ToVersion, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }
}
