using System.Diagnostics;

namespace ModelRetraining.OpenTelemetry.Tests;

/// <summary>examples/Telemetry run as a process, as a user runs it: OpenTelemetry's console exporter prints the run's span, its stages' spans and the library's metrics.</summary>
public sealed class ConsoleExampleTests
{
    [Fact]
    public async Task TheConsoleExample_PrintsTheRunsSpans_AndTheLibrarysMetrics()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mr-otel-example", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Telemetry.dll"), folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = process.StandardOutput.ReadToEndAsync(bound.Token);
        var error = process.StandardError.ReadToEndAsync(bound.Token);
        await process.WaitForExitAsync(bound.Token);
        try
        {
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await error}");
            var text = await output;
            Assert.Contains("Activity.DisplayName:        ModelRetraining.Run", text, StringComparison.Ordinal);
            Assert.Contains("Activity.DisplayName:        ModelRetraining.Training", text, StringComparison.Ordinal);
            Assert.Contains("Metric Name: modelretraining.", text, StringComparison.Ordinal);
            Assert.Matches("run [0-9a-f]{32}: (Succeeded|Rejected)", text);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
