// Usage: ModelRetraining.ServingNode <schema> <model> <notify | poll:<ms>>
// (the connection string comes from MR_WORKER_POSTGRES, kept off the command line for its password)
// A serving node: a ModelServer of the quick start's flight-delay model on a PostgreSQL registry. "notify"
// follows the champion through LISTEN/NOTIFY alone (the server's own poll every hour); "poll:<ms>" through
// polling alone (no LISTEN; the server and the registry poll every <ms>). Prints "ready" once started, then
// "swap <version> <unix time in 100 ns ticks>" each time the version it serves changes (read every 0.5 ms),
// so another process can time promotion to swap on the same clock. Stops when its standard input closes.
using System.Globalization;
using ModelRetraining;
using ModelRetraining.MLNet;
using ModelRetraining.PostgreSql;
using ModelRetraining.Serving;
using QuickStart;

var (schema, model, mode) = (args[0], args[1], args[2]);
var polling = mode.StartsWith("poll:", StringComparison.Ordinal) ? TimeSpan.FromMilliseconds(int.Parse(mode[5..], CultureInfo.InvariantCulture)) : (TimeSpan?)null;
var registry = PostgreSqlRegistry.Create(
    Environment.GetEnvironmentVariable("MR_WORKER_POSTGRES")!,
    new PostgreSqlRegistryOptions { Schema = schema, MigrateSchema = false, ListenForAliasMoves = polling is null, AliasPollInterval = polling ?? TimeSpan.FromSeconds(5) });
await using var server = new ModelServer<FlightRow, FlightScore>(registry, model, new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = polling ?? TimeSpan.FromHours(1) });
await server.StartAsync();

// Reading the live version every half millisecond on a thread of its own: the swap's time to within that.
var stop = new CancellationTokenSource();
var watcher = new Thread(() =>
{
    var last = server.Current?.Version;
    while (!stop.IsCancellationRequested)
    {
        var now = server.Current?.Version;
        if (now != last)
        {
            Console.Out.WriteLine($"swap {now?.ToString(CultureInfo.InvariantCulture) ?? "none"} {DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture)}");
            Console.Out.Flush();
            last = now;
        }

        Thread.Sleep(TimeSpan.FromMilliseconds(0.5));
    }
}) { IsBackground = true };
Console.Out.WriteLine($"ready {server.Current?.Version.ToString(CultureInfo.InvariantCulture) ?? "none"}");
Console.Out.Flush();
watcher.Start();
await Console.In.ReadToEndAsync();
await stop.CancelAsync();
watcher.Join();
await ((IAsyncDisposable)registry).DisposeAsync();
