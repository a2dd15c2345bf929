using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.Parquet;
using QuickStart;

namespace ModelRetraining.AspNetCore.Tests;

// The body formats (JSON Lines, Parquet added by the host) and the transport's faults (a timeout, a dropped connection).
public sealed partial class IngestionEndpointTests
{
    // The same flights as JSON objects, one per line (numbers as numbers, times as ISO strings).
    private static string FlightsAsJsonLines(int rows)
        => string.Concat(Flights(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line =>
        {
            var f = line.Split(',');
            return JsonSerializer.Serialize(new Dictionary<string, object> { ["date"] = f[0].Replace(' ', 'T'), ["delay"] = double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), ["distance"] = double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), ["origin"] = f[3], ["destination"] = f[4] }) + "\n";
        }));

    private static async Task<byte[]> FlightsAsParquetAsync(int rows, bool distanceAsText = false, bool reorderAndAddColumn = false, bool dropDelay = false)
    {
        var lines = Flights(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToArray();
        var date = new global::Parquet.Schema.DataField("date", typeof(DateTime));
        var delay = new global::Parquet.Schema.DataField("delay", typeof(double));
        var distance = new global::Parquet.Schema.DataField("distance", distanceAsText ? typeof(string) : typeof(double));
        var origin = new global::Parquet.Schema.DataField("origin", typeof(string));
        var destination = new global::Parquet.Schema.DataField("destination", typeof(string));
        using var stream = new MemoryStream();
        var carrier = new global::Parquet.Schema.DataField("carrier", typeof(string));
        var schema = reorderAndAddColumn
            ? dropDelay ? new global::Parquet.Schema.ParquetSchema(origin, carrier, distance, date, destination) : new global::Parquet.Schema.ParquetSchema(origin, carrier, distance, date, destination, delay)
            : new global::Parquet.Schema.ParquetSchema(date, delay, distance, origin, destination);
        await using (var writer = await global::Parquet.ParquetWriter.CreateAsync(schema, stream))
        {
            using var group = writer.CreateRowGroup();
            double Number(string text) => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            var writes = new Dictionary<string, Func<Task>>
            {
                ["date"] = () => group.WriteAsync<DateTime>(date, lines.Select(f => DateTime.SpecifyKind(DateTime.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc)).ToArray()),
                ["delay"] = () => group.WriteAsync<double>(delay, lines.Select(f => Number(f[1])).ToArray()),
                ["distance"] = () => distanceAsText ? group.WriteAsync(distance, lines.Select(f => f[2]).ToArray()) : group.WriteAsync<double>(distance, lines.Select(f => Number(f[2])).ToArray()),
                ["origin"] = () => group.WriteAsync(origin, lines.Select(f => f[3]).ToArray()),
                ["destination"] = () => group.WriteAsync(destination, lines.Select(f => f[4]).ToArray()),
                ["carrier"] = () => group.WriteAsync(carrier, lines.Select(_ => "AA").ToArray()),
            };
            foreach (var field in schema.GetDataFields())
            {
                await writes[field.Name](); // Parquet.Net takes a group's columns in schema order
            }
        }

        return stream.ToArray();
    }

    [Fact]
    public async Task AJsonLinesUpload_IsStored_WithTheSameRowsAsTheCsvOfThem()
    {
        var response = await PostAsync(FlightsAsJsonLines(1_000), contentType: "application/x-ndjson");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1_000, (await JsonAsync(response)).GetProperty("rows").GetInt64());

        var context = new RetrainingContext("flight-delays", "t", TimeProvider.System);
        var stored = await _store.Window("flights", labelColumn: "Late").LoadAsync(context);
        var csv = await CsvDataSource.FromFile(Csv(Flights(1_000)), FlightDelays.Schema()).LoadAsync(context);
        Assert.Equal(csv.RowCount, stored.RowCount);
        Assert.Equal(csv.Data.GetColumn<float>("distance"), stored.Data.GetColumn<float>("distance"));
        Assert.Equal(csv.Data.GetColumn<bool>("Late"), stored.Data.GetColumn<bool>("Late")); // derived on arrival, as from CSV
        AssertSpoolEmpty();
    }

    private string Csv(string body)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, body);
        return path;
    }

    [Fact]
    public async Task AJsonLinesUploadWithABrokenLine_Is422_NamingTheLine()
    {
        var body = FlightsAsJsonLines(20) + "{\"date\":\"2001-01-02T10:00:00\",\"delay\":" + "\n" + FlightsAsJsonLines(5);
        var response = await PostAsync(body, contentType: "application/jsonl");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = (await JsonAsync(response)).GetProperty("issues").EnumerateArray().Single();
        Assert.Equal(("jsonl.malformed", 21), (issue.GetProperty("rule").GetString(), issue.GetProperty("row").GetInt32()));
        Assert.DoesNotContain("mr-upload-", issue.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await StoredBatchesAsync());
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task AParquetUpload_IsStored_WhenTheHostAcceptsTheFormat()
    {
        var response = await PostAsync(new ByteArrayContent(await FlightsAsParquetAsync(500)), contentType: "application/vnd.apache.parquet", dataset: "flights-raw");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(500, (await JsonAsync(response)).GetProperty("rows").GetInt64());
        AssertSpoolEmpty();

    }

    [Fact]
    public async Task AParquetUpload_ToADatasetWithDerivedColumns_GetsThemComputedOnArrival_AsCsvDoes()
    {
        // The flights dataset derives DayOfWeek and Late from the read columns; a Parquet body carries only those.
        var response = await PostAsync(new ByteArrayContent(await FlightsAsParquetAsync(400)), contentType: "application/vnd.apache.parquet");
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());

        var context = new RetrainingContext("flight-delays", "t", TimeProvider.System);
        var stored = await _store.Window("flights", labelColumn: "Late").LoadAsync(context);
        var csv = await CsvDataSource.FromFile(Csv(Flights(400)), FlightDelays.Schema()).LoadAsync(context);
        Assert.Equal(csv.Schema.Columns.Select(c => (c.Name, c.Kind)), stored.Schema.Columns.Select(c => (c.Name, c.Kind)));
        Assert.Equal(csv.Data.GetColumn<bool>("Late"), stored.Data.GetColumn<bool>("Late"));
        Assert.Equal(csv.Data.GetColumn<float>("DayOfWeek"), stored.Data.GetColumn<float>("DayOfWeek"));
        Assert.Equal(csv.Data.GetColumn<float>("delay"), stored.Data.GetColumn<float>("delay"));

        // A read column missing is still refused, naming it.
        var missing = await PostAsync(new ByteArrayContent(await FlightsAsParquetAsync(50, reorderAndAddColumn: true, dropDelay: true)), contentType: "application/vnd.apache.parquet");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Contains("Column 'delay' (Numeric) is missing from the upload", (await JsonAsync(missing)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task AParquetUploadWithExtraAndReorderedColumns_IsCutToTheDeclaredOnes_AndReadsInOneWindowWithCsv()
    {
        var reordered = await FlightsAsParquetAsync(300, reorderAndAddColumn: true);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(new ByteArrayContent(reordered), contentType: "application/vnd.apache.parquet", dataset: "flights-raw")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Flights(200), dataset: "flights-raw")).StatusCode);

        var window = await _store.Window("flights-raw").LoadAsync(new RetrainingContext("flights", "t", TimeProvider.System));
        Assert.Equal(500, window.RowCount);
        Assert.Equal(["date", "delay", "distance", "origin", "destination"], window.Schema.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task ATruncatedParquetUpload_Is422_AndNothingIsStored()
    {
        var bytes = await FlightsAsParquetAsync(500);
        var response = await PostAsync(new ByteArrayContent(bytes[..(bytes.Length / 2)]), contentType: "application/vnd.apache.parquet");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await JsonAsync(response)).GetProperty("detail").GetString()!;
        Assert.Contains("'the upload' is not a readable Parquet file", detail, StringComparison.Ordinal);
        Assert.Equal(0, await StoredBatchesAsync());
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task AParquetUploadWhoseColumnHasAnotherKind_Is422_NamingTheColumn()
    {
        var response = await PostAsync(new ByteArrayContent(await FlightsAsParquetAsync(50, distanceAsText: true)), contentType: "application/vnd.apache.parquet", dataset: "flights-raw");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = (await JsonAsync(response)).GetProperty("issues").EnumerateArray().Single(i => i.GetProperty("rule").GetString() == "upload.column-kind");
        Assert.Equal("distance", issue.GetProperty("column").GetString());
        Assert.Equal(0, await StoredBatchesAsync("flights-raw"));
    }

    [Fact]
    public async Task AnUploadSlowerThanTheTimeout_Is408_AndNothingIsStoredOrLeftBehind()
    {
        // A raw socket: the server answers while the body is still trickling in, and HttpClient would report only its failed write.
        var (status, body) = await TricklePostAsync("/slow/flights/batches", Encoding.UTF8.GetBytes(Flights(2_000)), TimeSpan.FromMilliseconds(100));
        Assert.Equal(408, status);
        Assert.Contains("longer than 00:00:00.5000000 (RequestTimeout)", body, StringComparison.Ordinal);
        Assert.Equal(0, await StoredBatchesAsync());
        AssertSpoolEmpty();
    }

    private async Task<(int Status, string Body)> TricklePostAsync(string path, byte[] body, TimeSpan pause)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(_http.BaseAddress!.Host, _http.BaseAddress.Port);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {_http.BaseAddress.Authority}\r\nContent-Type: text/csv\r\nContent-Length: {body.Length}\r\nX-Test-User: alice\r\nX-Test-Roles: uploader\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reading = new StreamReader(stream, Encoding.UTF8);
        var response = Task.Run(() => reading.ReadToEndAsync());
        foreach (var chunk in body.Chunk(2_048))
        {
            if (response.IsCompleted)
            {
                break;
            }

            try
            {
                await stream.WriteAsync(chunk);
                await Task.Delay(pause);
            }
            catch (IOException)
            {
                break; // the server closed its side after answering
            }
        }

        var text = await response.WaitAsync(TimeSpan.FromSeconds(30));
        var status = int.Parse(text.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    [Fact]
    public async Task AConnectionDroppedMidBody_StoresNothing_LeavesNoSpoolFile_AndARetryWithTheKeyStoresOnce()
    {
        using var drop = new CancellationTokenSource();
        var content = new TrickleContent(Encoding.UTF8.GetBytes(Flights(500)), TimeSpan.FromMilliseconds(50), afterChunks: 2, onPause: drop.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PostAsync(content, key: "upload-42", cancellationToken: drop.Token));

        // The server sees the body end early; it stores nothing and removes its spool file (bounded wait: it learns of the drop on its own time).
        for (var tries = 0; tries < 100 && Directory.GetFiles(Path.Combine(_folder, "spool")).Length > 0; tries++)
        {
            await Task.Delay(50);
        }

        AssertSpoolEmpty();
        Assert.Equal(0, await StoredBatchesAsync());
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Flights(500), key: "upload-42")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Flights(500), key: "upload-42")).StatusCode);
        Assert.Equal(1, await StoredBatchesAsync());
    }

    // Sends its bytes in small chunks with a pause between them, with a declared length; optionally stops (the sender drops) after some chunks.
    private sealed class TrickleContent(byte[] bytes, TimeSpan pause, int afterChunks = int.MaxValue, Action? onPause = null) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var sent = 0;
            foreach (var chunk in bytes.Chunk(2_048))
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
                if (++sent == afterChunks)
                {
                    onPause?.Invoke();
                }

                await Task.Delay(pause);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
