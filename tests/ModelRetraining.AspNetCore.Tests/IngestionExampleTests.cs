using Ingestion;
using Microsoft.Data.Sqlite;

namespace ModelRetraining.AspNetCore.Tests;

/// <summary>examples/Ingestion end to end in a real Kestrel host: January to June 2001 posted month by month, retrains started by the new-data trigger, and what the June batch's checks say.</summary>
public sealed class IngestionExampleTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-ingestion-example", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheMonthsArrive_AreStored_AndEnoughNewRowsRetrainTheModel()
    {
        var log = new StringWriter();
        await using var service = await IngestionService.StartAsync(_folder, "http://127.0.0.1:0", "test-key", minNewRows: 60_000, log);

        var replies = await MonthlyUploads.RunAsync(service, "test-key", log);

        Assert.Equal(["flights#1", "flights#2", "flights#3", "flights#4", "flights#5", "flights#6"], replies.Select(r => r.GetProperty("id").GetString()));
        Assert.True(service.Retrains.Count >= 2, log.ToString());
        Assert.Contains("champion -> v1", service.Retrains[0], StringComparison.Ordinal);
        Assert.NotNull(await service.Registry.GetAliasAsync("flight-delays", ModelAliases.Champion));
    }

    [Fact]
    public async Task AnUploadWithoutTheKey_IsRefused()
    {
        await using var service = await IngestionService.StartAsync(_folder, "http://127.0.0.1:0", "test-key", minNewRows: 60_000, TextWriter.Null);
        using var http = new HttpClient { BaseAddress = service.Address };
        using var content = new StringContent("date,delay,distance,origin,destination\n", System.Text.Encoding.UTF8, "text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/flights/batches") { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong-key");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task TheExampleEndpoint_TakesParquetForTheRawDataset()
    {
        await using var service = await IngestionService.StartAsync(_folder, "http://127.0.0.1:0", "test-key", minNewRows: 60_000, TextWriter.Null);
        var fields = new[] { ("date", typeof(DateTime)), ("delay", typeof(double)), ("distance", typeof(double)), ("origin", typeof(string)), ("destination", typeof(string)) }
            .Select(f => new global::Parquet.Schema.DataField(f.Item1, f.Item2)).ToArray();
        using var stream = new MemoryStream();
        await using (var writer = await global::Parquet.ParquetWriter.CreateAsync(new global::Parquet.Schema.ParquetSchema(fields), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<DateTime>(fields[0], new[] { new DateTime(2001, 7, 1, 8, 0, 0, DateTimeKind.Utc), new DateTime(2001, 7, 1, 9, 0, 0, DateTimeKind.Utc) });
            await group.WriteAsync<double>(fields[1], new[] { 5.0, 40.0 });
            await group.WriteAsync<double>(fields[2], new[] { 700.0, 1_200.0 });
            await group.WriteAsync(fields[3], new[] { "ORD", "JFK" });
            await group.WriteAsync(fields[4], new[] { "LAX", "SFO" });
        }

        using var http = new HttpClient { BaseAddress = service.Address };
        using var content = new ByteArrayContent(stream.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.apache.parquet");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/flights-raw/batches") { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "test-key");
        using var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, (await service.Store.ListBatchesAsync("flights-raw").SingleAsync()).Rows);
    }
}
