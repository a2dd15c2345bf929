// The quick start: a whole retraining cycle on real flight-delay data with the embedded defaults.
//   dotnet run --project examples/QuickStart [registry-folder]
// The registry folder (default ./quickstart-registry) is deleted and recreated on every run.
using System.Diagnostics;
using QuickStart;

var folder = args.Length > 0 ? args[0] : "quickstart-registry";
var clock = Stopwatch.StartNew();
var outcome = await QuickStartStory.RunAsync(folder, FlightDelays.DataFile, Console.Out);
Console.WriteLine($"Quick start finished in {clock.Elapsed.TotalSeconds:0.0} s.");
return outcome.FirstRun.Status == ModelRetraining.RetrainingRunStatus.Succeeded ? 0 : 1;
