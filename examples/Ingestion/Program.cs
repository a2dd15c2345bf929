// The ingestion example: a web host that takes flight batches over HTTP into the dataset store, checks
// each against the champion (drift shows as warnings on the batch), and retrains once enough rows arrived.
//   dotnet run --project examples/Ingestion                  listen on http://127.0.0.1:5080 (post with curl: README)
//   dotnet run --project examples/Ingestion -- --demo        post January..June itself and tell the story
using Ingestion;

var demo = args.Contains("--demo");
var folder = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "ingestion-example";
if (Directory.Exists(folder))
{
    Directory.Delete(folder, recursive: true); // the example starts from nothing every time
}

var apiKey = Environment.GetEnvironmentVariable("INGEST_API_KEY") ?? "example-key-change-me";
await using var service = await IngestionService.StartAsync(folder, demo ? "http://127.0.0.1:0" : "http://127.0.0.1:5080", apiKey, minNewRows: 60_000, Console.Out);
if (demo)
{
    await MonthlyUploads.RunAsync(service, apiKey, Console.Out);
    return;
}

Console.WriteLine($"listening on {service.Address}; POST CSV to {service.Address}ingest/flights/batches with Authorization: Bearer <INGEST_API_KEY>. Ctrl-C stops.");
var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopped.TrySetResult(); };
await stopped.Task;
