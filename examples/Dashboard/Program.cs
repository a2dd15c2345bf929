// The dashboard example: two models with real content for every view, retrained on a schedule.
//   dotnet run --project examples/Dashboard          then open http://127.0.0.1:5090/retraining/
using DashboardExample;

var folder = args.FirstOrDefault() ?? "dashboard-example";
if (Directory.Exists(folder))
{
    Directory.Delete(folder, recursive: true); // the example starts from nothing every time
}

await using var host = await DashboardExampleHost.StartAsync(folder, "http://127.0.0.1:5090", retrainEvery: TimeSpan.FromMinutes(3), Console.Out);
Console.WriteLine($"open {host.Address} — flight-delays v2 waits in Approvals; house-prices retrains every 3 minutes. Ctrl-C stops.");
var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopped.TrySetResult(); };
await stopped.Task;
