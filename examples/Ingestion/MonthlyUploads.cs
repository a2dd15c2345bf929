using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QuickStart;

namespace Ingestion;

/// <summary>The demo's sender: posts the flights of January to June 2001 one month a batch, as the README's curl loop does, and prints each reply.</summary>
public static class MonthlyUploads
{
    public static async Task<IReadOnlyList<JsonElement>> RunAsync(IngestionService service, string apiKey, TextWriter log)
    {
        using var http = new HttpClient { BaseAddress = service.Address };
        var replies = new List<JsonElement>();
        foreach (var (month, csv) in Months())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/flights/batches") { Content = new StringContent(csv, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            request.Headers.Add("Idempotency-Key", $"flights-2001-{month:00}");   // a retry of the same month is stored once
            using var response = await http.SendAsync(request);
            var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            replies.Add(reply);
            var drift = reply.TryGetProperty("warnings", out var warnings) ? warnings.EnumerateArray().Where(w => w.GetProperty("rule").GetString()!.StartsWith("drift", StringComparison.Ordinal) && w.GetProperty("column").ValueKind == JsonValueKind.String).Select(w => w.GetProperty("column").GetString()).Distinct().ToArray() : [];
            await log.WriteLineAsync($"2001-{month:00}: {(int)response.StatusCode} {reply.GetProperty(response.IsSuccessStatusCode ? "id" : "title")} {(response.IsSuccessStatusCode ? $"{reply.GetProperty("rows")} rows" : reply.GetProperty("detail").GetString())}{(drift.Length > 0 ? $"; DRIFT in {string.Join(", ", drift)}" : string.Empty)}");

            // Let the new-data trigger see the batch before the next month arrives (the story is sequential).
            await WaitForRetrainerAsync(service);
        }

        return replies;
    }

    private static async Task WaitForRetrainerAsync(IngestionService service)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // three polls of the trigger
        for (var tries = 0; tries < 240 && service.IsChecking; tries++)
        {
            await Task.Delay(500); // a retrain that started runs to its end (bounded: two minutes)
        }
    }

    // The committed flights, split by month of departure (header repeated per month).
    private static IEnumerable<(int Month, string Csv)> Months()
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(FlightDelays.DataFile), CompressionMode.Decompress));
        var header = reader.ReadLine()!;
        var month = 0;
        var body = new StringBuilder();
        while (reader.ReadLine() is { } line)
        {
            var lineMonth = int.Parse(line.AsSpan(5, 2), CultureInfo.InvariantCulture);
            if (lineMonth != month && body.Length > 0)
            {
                yield return (month, body.ToString());
                body.Clear();
            }

            if (body.Length == 0)
            {
                body.Append(header).Append('\n');
            }

            month = lineMonth;
            body.Append(line).Append('\n');
        }

        if (body.Length > 0)
        {
            yield return (month, body.ToString());
        }
    }
}
