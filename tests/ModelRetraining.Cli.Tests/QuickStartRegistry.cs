using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using QuickStart;

namespace ModelRetraining.Cli.Tests;

/// <summary>
/// A registry made by the quick start's pipeline on real flights (January 2001, February held out): v1
/// promoted in run-1 by alice, v2 registered in run-2 and waiting for approval, requested by alice. Each
/// test that changes it works on its own copy. <see cref="Mrt"/> runs the built tool as a process, as a user does.
/// </summary>
public sealed class QuickStartRegistry : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mr-cli", Guid.NewGuid().ToString("N"));

    public string Folder => Path.Combine(_root, "registry");

    public async Task InitializeAsync()
    {
        var registry = ModelRegistry.Embedded(Folder);
        var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var (train, holdout) = (flights.Between(new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)), flights.Between(new DateTime(2001, 2, 1), new DateTime(2001, 2, 15)));
        Assert.True((await FlightDelays.Pipeline(registry, train, holdout).Build().RunAsync(new RetrainingRunOptions { Actor = "alice", RunId = "run-1" })).Promoted);
        var pending = await FlightDelays.Pipeline(registry, train, holdout).AddPromotionGate(g => g.RequireApproval()).Build().RunAsync(new RetrainingRunOptions { Actor = "alice", RunId = "run-2" });
        Assert.Equal(RetrainingRunStatus.AwaitingApproval, pending.Status);
        SqliteConnection.ClearAllPools();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A copy of the registry for a test that changes it.</summary>
    public string Copy()
    {
        var copy = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.GetFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    /// <summary>Runs <c>mrt</c> (the built ModelRetraining.Cli.dll) with output redirected, as a script would.</summary>
    public static async Task<(int Exit, string Out, string Error)> Mrt(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, StandardOutputEncoding = Encoding.UTF8 };
        start.ArgumentList.Add(ToolPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("MRT_REGISTRY");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    // The tool's build output beside this test's: src/ModelRetraining.Cli/bin/<configuration>/net10.0.
    private static string ToolPath
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = here.Parent!.Name;
            var root = here;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "ModelRetraining.sln")))
            {
                root = root.Parent;
            }

            return Path.Combine(root!.FullName, "src", "ModelRetraining.Cli", "bin", configuration, "net10.0", "ModelRetraining.Cli.dll");
        }
    }
}
