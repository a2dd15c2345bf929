using System.Diagnostics;
using System.Globalization;

namespace ModelRetraining.Tests;

/// <summary>
/// Writer processes are killed with SIGKILL in the middle of registering versions and moving the champion,
/// round after round, four at a time on one registry folder. Whatever moment they die, the registry stays
/// consistent: version numbers have no gaps, every version's artifact reads back with its hash, the
/// champion names a version, and each alias move starts where the previous one ended.
/// </summary>
public class KilledWritersTests
{
    [Fact]
    public async Task FourWritersKilledTenRoundsRunning_LeaveAConsistentRegistry()
    {
        var folder = TestData.TempFolder();
        var worker = Path.Combine(AppContext.BaseDirectory, "ModelRetraining.RegistryWorker.dll");
        Assert.True(File.Exists(worker), $"worker not built at {worker}");
        var random = new Random(13);
        var kills = 0;
        for (var round = 0; round < 10; round++)
        {
            var processes = Enumerable.Range(0, 4).Select(i => Process.Start(new ProcessStartInfo("dotnet", [worker, folder, "churn", "100000", $"r{round}w{i}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!).ToArray();
            var errors = processes.Select(p => p.StandardError.ReadToEndAsync()).ToArray();
            await Task.Delay(TimeSpan.FromMilliseconds(600 + random.Next(900)));
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    kills++;
                }
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            foreach (var process in processes)
            {
                await process.WaitForExitAsync(timeout.Token);
                process.Dispose();
            }

            foreach (var error in errors)
            {
                var text = await error;
                Assert.DoesNotContain("SQLITE_BUSY", text, StringComparison.Ordinal);
                Assert.DoesNotContain("database is locked", text, StringComparison.Ordinal);
            }

            await AssertConsistentAsync(folder, round);
        }

        Assert.True(kills >= 20, $"only {kills} writers were still running when killed");
    }

    private static async Task AssertConsistentAsync(string folder, int round)
    {
        var registry = ModelRegistry.Embedded(folder);
        var health = await registry.GetService<IRegistryHealth>()!.CheckHealthAsync();
        Assert.True(health.Healthy, $"round {round}: {string.Join("; ", health.Problems)}");

        var versions = new List<ModelVersion>();
        await foreach (var version in registry.ListVersionsAsync("churn"))
        {
            versions.Add(version);
        }

        Assert.Equal(Enumerable.Range(1, versions.Count), versions.Select(v => v.Version));
        foreach (var version in versions)
        {
            var bytes = (await registry.ReadArtifactAsync(version)).Content.ToArray();
            Assert.StartsWith("r", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }

        var history = new List<AliasHistoryEntry>();
        await foreach (var entry in registry.GetAliasHistoryAsync("churn", ModelAliases.Champion))
        {
            history.Add(entry);
        }

        for (var i = 1; i < history.Count; i++)
        {
            Assert.True(history[i].FromVersion == history[i - 1].ToVersion, $"round {round}: move {i} starts at v{history[i].FromVersion} but the one before ended at v{history[i - 1].ToVersion}");
        }

        var champion = await registry.GetAliasAsync("churn", ModelAliases.Champion);
        Assert.Equal(history.LastOrDefault()?.ToVersion, champion?.Version);
        Assert.True(champion is null || versions.Any(v => v.Version == champion.Version), string.Create(CultureInfo.InvariantCulture, $"round {round}: champion v{champion?.Version} is not a version"));
    }
}
