using System.Net;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using QuickStart;

namespace ModelRetraining.AspNetCore.Tests;

// Bodies larger than one part (PartRows = 1,000 on /parts): read, checked and encoded part by part as they
// arrive, stored as one batch, refused whole, with messages naming the place in the whole body.
public sealed partial class IngestionEndpointTests
{
    private static readonly RetrainingContext Reading = new("flight-delays", "t", TimeProvider.System);

    [Fact]
    public async Task ABodyOfSeveralParts_IsStoredAsOneBatch_ThatReadsBackAsTheWholeBody()
    {
        var response = await PostAsync(Flights(4_500), dataset: "flights-parts", prefix: "/parts");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await JsonAsync(response);
        Assert.Equal((4_500, 5), (created.GetProperty("rows").GetInt64(), created.GetProperty("parts").GetInt32()));

        var batch = await _store.ListBatchesAsync("flights-parts").SingleAsync();
        Assert.Equal(5, batch.Parts.Count);
        Assert.Equal(5, batch.Parts.Select(p => p.Sha256).Distinct().Count());
        var stored = await _store.Window("flights-parts", labelColumn: "Late").LoadAsync(Reading);
        var whole = await CsvDataSource.FromFile(Csv(Flights(4_500)), FlightDelays.Schema()).LoadAsync(Reading);
        Assert.Equal(whole.RowCount, stored.RowCount);
        Assert.Equal(whole.Data.GetColumn<float>("distance"), stored.Data.GetColumn<float>("distance"));
        Assert.Equal(whole.Data.GetColumn<string>("origin"), stored.Data.GetColumn<string>("origin"));
        Assert.Equal(whole.Data.GetColumn<bool>("Late"), stored.Data.GetColumn<bool>("Late"));
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task ABodyOfSeveralParts_SentAgainWithItsKey_IsStoredOnce()
    {
        var first = await PostAsync(Flights(2_500), dataset: "flights-parts", prefix: "/parts", key: "big-1");
        var retry = await PostAsync(Flights(2_500), dataset: "flights-parts", prefix: "/parts", key: "big-1");
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, retry.StatusCode));
        Assert.Equal((await JsonAsync(first)).GetProperty("fingerprint").GetString(), (await JsonAsync(retry)).GetProperty("fingerprint").GetString());
        Assert.Equal(1, await StoredBatchesAsync("flights-parts"));

        var other = await PostAsync(Flights(2_600), dataset: "flights-parts", prefix: "/parts", key: "big-1");
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal(1, await StoredBatchesAsync("flights-parts"));
    }

    [Fact]
    public async Task ABadValueInALaterPart_RefusesTheWholeBatch_NamingTheSameLineAsAWholeRead()
    {
        var lines = Flights(4_500).Split('\n');
        var fields = lines[3_200].Split(',');
        fields[2] = "far";  // distance, on line 3,201 of the body: in its fourth part
        lines[3_200] = string.Join(',', fields);
        var body = string.Join('\n', lines);

        var inParts = await PostAsync(body, dataset: "flights-parts", prefix: "/parts");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, inParts.StatusCode);
        var issue = (await JsonAsync(inParts)).GetProperty("issues").EnumerateArray().Single(i => i.GetProperty("column").GetString() == "distance");
        Assert.Contains("line 3201", issue.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("mr-upload-", issue.GetProperty("message").GetString(), StringComparison.Ordinal);

        var whole = (await CsvDataSource.FromFile(Csv(body), FlightDelays.Schema()).LoadAsync(Reading)).ReadIssues.Single(i => i.Column == "distance");
        Assert.Equal(whole.Row, issue.GetProperty("row").GetInt64());
        Assert.Equal(0, await StoredBatchesAsync("flights-parts"));
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task MoreRowsThanAllowed_InALaterPart_Is413_AndNothingIsStored()
    {
        var response = await PostAsync(Flights(6_000), dataset: "flights-parts", prefix: "/parts");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at least 6000 rows", (await JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await StoredBatchesAsync("flights-parts"));
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task QuotedFieldsWithLineBreaks_AreNeverCutBetweenParts()
    {
        // Every record spans two lines (a line break inside a quoted field, with an escaped quote): a cut at
        // a line break rather than a record end would leave each later part starting mid-field.
        var body = new StringBuilder("date,delay,note\r\n");
        for (var i = 0; i < 2_500; i++)
        {
            body.Append(System.Globalization.CultureInfo.InvariantCulture, $"2001-01-01 00:00:00,{i},\"row {i} says \"\"hi\"\",\r\nthen goes on\"\r\n");
        }

        var response = await PostAsync(body.ToString(), dataset: "raw-parts", prefix: "/parts");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, (await JsonAsync(response)).GetProperty("parts").GetInt32());
        var stored = await _store.Window("raw-parts").LoadAsync(Reading);
        Assert.Equal(Enumerable.Range(0, 2_500).Select(i => (float)i), stored.Data.GetColumn<float>("delay"));
        Assert.Equal("row 1234 says \"hi\",\r\nthen goes on", stored.Data.GetColumn<string>("note").ElementAt(1_234));
    }

    [Fact]
    public async Task AJsonLinesBodyOfSeveralParts_HoldsTheRowsOfItsCsv()
    {
        var response = await PostAsync(FlightsAsJsonLines(2_500), contentType: "application/x-ndjson", dataset: "flights-parts", prefix: "/parts");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, (await JsonAsync(response)).GetProperty("parts").GetInt32());
        var stored = await _store.Window("flights-parts", labelColumn: "Late").LoadAsync(Reading);
        var csv = await CsvDataSource.FromFile(Csv(Flights(2_500)), FlightDelays.Schema()).LoadAsync(Reading);
        Assert.Equal(csv.Data.GetColumn<float>("delay"), stored.Data.GetColumn<float>("delay"));
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task ALastRecordWithoutALineBreak_IsStored_EvenAloneInItsPart()
    {
        var body = Flights(3_001).TrimEnd('\n');  // the 3,001st record ends the body with no line break
        var response = await PostAsync(body, dataset: "flights-parts", prefix: "/parts");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3_001, (await JsonAsync(response)).GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task AShortLastPart_JoinsThePartBeforeIt()
    {
        // 4,200 records in parts of 1,000: the last 200 (under half a part) go with the fourth part, so no
        // part is small enough for a rule on its size (a minimum row count) to judge it alone.
        var response = await PostAsync(Flights(4_200), dataset: "flights-parts", prefix: "/parts");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await JsonAsync(response);
        Assert.Equal((4_200, 4), (created.GetProperty("rows").GetInt64(), created.GetProperty("parts").GetInt32()));
        Assert.Equal(4_200, (await _store.Window("flights-parts", labelColumn: "Late").LoadAsync(Reading)).RowCount);
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task ABodyWithLoneCarriageReturns_IsNotCutPastThem_AndReadsWhole()
    {
        // Old Mac line ends after record 1,500: the reader takes each for a line break, the cutter would not,
        // so after the first cut (record 1,000) the rest of the body stays one part.
        var lines = Flights(3_000).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var body = string.Join('\n', lines.Take(1_501)) + "\n" + string.Join('\r', lines.Skip(1_501)) + "\r";
        var response = await PostAsync(body, dataset: "flights-parts", prefix: "/parts");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await JsonAsync(response);
        Assert.Equal((3_000, 2), (created.GetProperty("rows").GetInt64(), created.GetProperty("parts").GetInt32()));
        var stored = await _store.Window("flights-parts", labelColumn: "Late").LoadAsync(Reading);
        var whole = await CsvDataSource.FromFile(Csv(body), FlightDelays.Schema()).LoadAsync(Reading);
        Assert.Equal(whole.Data.GetColumn<float>("distance"), stored.Data.GetColumn<float>("distance"));
    }
}
