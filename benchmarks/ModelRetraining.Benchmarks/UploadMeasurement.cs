using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRetraining.AspNetCore;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// The upload endpoint's throughput: one CSV file posted over loopback to a real Kestrel host (streamed
/// from disk by the client, in the same process), cut into parts of 1,000,000 rows as it arrives, each read with the flights schema, fingerprinted,
/// encoded and stored as a batch. Prints MB/s over the whole request and the process's peak working set
/// (server and client together; the client holds 64 KiB at a time).
/// </summary>
internal static class UploadMeasurement
{
    public static int Run(string csv)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"mr-upload-bench-{Guid.NewGuid():N}");
        try
        {
            return RunAsync(csv, folder).GetAwaiter().GetResult();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<int> RunAsync(string csv, string folder)
    {
        var bytes = new FileInfo(csv).Length;
        var store = DatasetStore.Embedded(Path.Combine(folder, "store"));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.MapRetrainingIngestion("/ingest", store, o =>
        {
            o.Dataset("flights", new CsvSchema().Time("date").Numeric("delay").Numeric("distance").Text("origin").Text("destination"));
            o.AllowAnonymous = true; // a benchmark on loopback; the endpoint refuses anonymous uploads by default
            o.MaxBodyBytes = bytes + 1;
            o.MaxRows = long.MaxValue;
            o.RequestTimeout = TimeSpan.FromHours(1);
            o.SpoolFolder = folder;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromHours(1) };

        var clock = Stopwatch.StartNew();
        await using var file = new FileStream(csv, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var content = new StreamContent(file, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await http.PostAsync(new Uri("/ingest/flights/batches", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        clock.Stop();
        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"{(int)response.StatusCode}: {body}");
            return 1;
        }

        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"upload {bytes / 1e6:0} MB in {clock.Elapsed.TotalSeconds:0.00} s = {bytes / 1e6 / clock.Elapsed.TotalSeconds:0.0} MB/s; peak working set {process.PeakWorkingSet64 / (1024.0 * 1024):0} MiB; reply {body[..Math.Min(80, body.Length)]}"));
        return 0;
    }
}
