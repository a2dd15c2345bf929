using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRetraining;
using ModelRetraining.AspNetCore;
using ModelRetraining.Parquet;
using QuickStart;

namespace Ingestion;

/// <summary>
/// A web host that receives flight batches and keeps the flight-delay model current: every upload is
/// checked against the champion (schema, quality, drift: a drifted batch is stored with its drift as
/// warnings), and once enough new rows arrived the model is retrained on every batch but the latest and
/// evaluated on the latest (the new-data trigger over the dataset store).
/// </summary>
public sealed class IngestionService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _retrainer;
    private readonly TextWriter _log;
    private int _checking;

    private IngestionService(WebApplication app, DatasetStore store, IModelRegistry registry, long minNewRows, TextWriter log)
    {
        _app = app;
        Store = store;
        Registry = registry;
        _log = log;
        _retrainer = RetrainWhenEnoughArrivedAsync(minNewRows, _stop.Token);
    }

    public DatasetStore Store { get; }

    public IModelRegistry Registry { get; }

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public List<string> Retrains { get; } = [];

    /// <summary>Gets a value indicating whether the trigger is being checked or a retrain is running now.</summary>
    public bool IsChecking => Volatile.Read(ref _checking) != 0;

    /// <summary>Starts the host.</summary>
    /// <param name="folder">Where the dataset store and the registry live.</param>
    /// <param name="url">Where to listen, e.g. <c>http://127.0.0.1:5080</c> (port 0 for any).</param>
    /// <param name="apiKey">The key senders present as <c>Authorization: Bearer</c>.</param>
    /// <param name="minNewRows">How many new rows start a retrain.</param>
    /// <param name="log">Where the story is told.</param>
    /// <returns>The running service.</returns>
    public static async Task<IngestionService> StartAsync(string folder, string url, string apiKey, long minNewRows, TextWriter log)
    {
        var store = DatasetStore.Embedded(Path.Combine(folder, "datasets"));
        var registry = ModelRegistry.Embedded(Path.Combine(folder, "registry"));
        // The checks every batch passes before it is stored: the flight model's own validators, against its champion.
        var checks = FlightDelays.Pipeline(registry, store.Window("flights", labelColumn: "Late", timeColumn: "date"), store.Window("flights", labelColumn: "Late", timeColumn: "date")).Build();

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<ApiKeyOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, o => o.Key = apiKey);
        builder.Services.AddAuthorization(o => o.AddPolicy("flight-uploaders", p => p.RequireRole("uploader")));
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        // <snippet:ingestion-endpoint>
        app.MapRetrainingIngestion("/ingest", store, o =>
        {
            o.Dataset("flights", FlightDelays.Schema(), policy: "flight-uploaders", checkWith: checks);
            o.Dataset("flights-raw", RawColumns(), policy: "flight-uploaders");   // the five raw columns, nothing derived
            o.AcceptFormat("application/vnd.apache.parquet", ".parquet",
                (file, _) => ParquetDataSource.FromPath(file));   // the dataset's schema then applies: label, time, derived columns
            o.MaxBodyBytes = 64L << 20;                                         // 100 MiB by default
        });
        // </snippet:ingestion-endpoint>
        await app.StartAsync();
        return new IngestionService(app, store, registry, minNewRows, log);
    }

    private static CsvSchema RawColumns() => new CsvSchema().Time("date").Numeric("delay").Numeric("distance").Text("origin").Text("destination");

    // The new-data trigger, polled: enough rows in batches the champion was not trained on start a run.
    private async Task RetrainWhenEnoughArrivedAsync(long minNewRows, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            Volatile.Write(ref _checking, 1);
            try
            {
                await CheckAndRetrainAsync(minNewRows, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _checking, 0);
            }
        }
    }

    private async Task CheckAndRetrainAsync(long minNewRows, CancellationToken cancellationToken)
    {
        if (await DataCheck.NewBatchesAsync(Registry, "flight-delays", Store, "flights", minNewRows, TimeProvider.System, cancellationToken).ConfigureAwait(false) is not { } trigger)
        {
            return;
        }

        // Train on every batch but the latest; judge candidate and champion on the latest.
        var latest = await Store.ListBatchesAsync("flights", cancellationToken).LastAsync(cancellationToken).ConfigureAwait(false);
        var training = Store.Window("flights", receivedTo: latest.ReceivedAt, labelColumn: "Late", timeColumn: "date");
        var holdout = Store.Window("flights", receivedFrom: latest.ReceivedAt, labelColumn: "Late", timeColumn: "date");
        var run = new RetrainingRunOptions { Reason = trigger.Reason, Causes = [trigger], Actor = "new-data-trigger" };
        var result = await FlightDelays.Pipeline(Registry, training, holdout).Build().RunAsync(run, cancellationToken).ConfigureAwait(false);
        var line = $"retrain after {trigger.Evidence["rows"]} new rows ({trigger.Evidence["batches"]}): {result.Status}, champion {(result.Promoted ? $"-> v{result.RegisteredVersion!.Version}" : "kept")}";
        lock (Retrains)
        {
            Retrains.Add(line);
        }

        await _log.WriteLineAsync(line).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _retrainer;
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
        _stop.Dispose();
    }
}
