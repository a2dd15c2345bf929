// The hosted retraining service for the flight-delay model.
//   dotnet run --project examples/HostedService            replays January–June 2001 on a fake clock (about a minute)
//   dotnet run --project examples/HostedService -- --live  runs on the real clock until Ctrl+C
using HostedService;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var registry = Path.Combine(Path.GetTempPath(), "modelretraining-hosted", Guid.NewGuid().ToString("N"));
if (args.Contains("--live"))
{
    using var host = FlightsHost.Build(registry, TimeProvider.System, l => l.AddSimpleConsole(o => o.SingleLine = true));
    await host.RunAsync();
    return 0;
}

var report = await HalfYearReplay.RunAsync(
    registry,
    new DateTimeOffset(2001, 2, 5, 0, 0, 0, TimeSpan.Zero),
    new DateTimeOffset(2001, 7, 1, 0, 0, 0, TimeSpan.Zero),
    l => l.AddSimpleConsole(o => o.SingleLine = true));
Console.WriteLine($"{report.Runs.Count} runs, at most {report.MaxConcurrentRuns} at once; registry: {registry}");
return 0;
