using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Tests.Data;

/// <summary>JSON Lines files read with a declared schema: values, fingerprints equal to other sources', and the faults CSV reports, located by line and column.</summary>
public sealed class JsonLinesDataSourceTests
{
    private sealed class Sample
    {
        public DateTime Date { get; set; }

        public float X { get; set; }

        public string Cat { get; set; } = string.Empty;

        public bool Y { get; set; }
    }

    private static CsvSchema Schema() => new CsvSchema().Time("Date").Numeric("X").Text("Cat").Boolean("Y").Label("Y");

    private static Task<DatasetSnapshot> LoadAsync(string content, CsvSchema? schema = null)
        => JsonLinesDataSource.FromFile(Csv.Write(content, "rows.jsonl"), schema ?? Schema()).LoadAsync(Csv.Context).AsTask();

    [Fact]
    public async Task Rows_AreReadByName_InUtc_WithTheFingerprintOfTheSameRowsAsObjects()
    {
        var snapshot = await LoadAsync("""
            {"Date":"2001-01-01T10:00:00+02:00","X":1.5,"Cat":"a","Y":true,"unused":{"nested":[1,2]}}

            {"Y":false,"Cat":"b","X":-2,"Date":"2001-01-02"}
            """.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal(2, snapshot.RowCount);
        Assert.Empty(snapshot.ReadIssues);
        var objects = await DataSource.FromEnumerable("same", () => new[]
        {
            new Sample { Date = new DateTime(2001, 1, 1, 8, 0, 0, DateTimeKind.Utc), X = 1.5f, Cat = "a", Y = true },
            new Sample { Date = new DateTime(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc), X = -2, Cat = "b", Y = false },
        }, labelColumn: "Y", timeColumn: "Date").LoadAsync(Csv.Context);
        Assert.Equal(objects.Fingerprint, snapshot.Fingerprint);
    }

    [Fact]
    public async Task AMissingOrNullValue_IsMissing_ButAColumnNoLineHas_IsAnError()
    {
        var partly = await LoadAsync("""{"Date":"2001-01-01","X":null,"Cat":"a","Y":true}""" + "\n" + """{"Date":"2001-01-01","Cat":"a","Y":true}""");
        Assert.Empty(partly.ReadIssues);

        var never = await LoadAsync("""{"Date":"2001-01-01","Cat":"a","Y":true}""");
        var issue = Assert.Single(never.ReadIssues);
        Assert.Equal((IssueRules.MissingColumn, "X", ValidationSeverity.Error), (issue.Rule, issue.Column, issue.Severity));
    }

    [Fact]
    public async Task AValueOfTheWrongJsonType_IsAnErrorNamingColumnAndLine()
    {
        var snapshot = await LoadAsync("""
            {"Date":"2001-01-01","X":1,"Cat":"a","Y":true}
            {"Date":"2001-01-01","X":"12","Cat":"a","Y":true}
            {"Date":"01/02/2001","X":3,"Cat":"a","Y":"yes"}
            """);

        var x = Assert.Single(snapshot.ReadIssues, i => i.Column == "X");
        Assert.Equal(("jsonl.type", 2L), (x.Rule, x.Row));
        Assert.Contains("Column 'X' of 'rows.jsonl' is Numeric, but line 2 holds \"12\"", x.Message, StringComparison.Ordinal);
        Assert.Contains(snapshot.ReadIssues, i => i.Column == "Date" && i.Row == 3 && i.Message.Contains("01/02/2001", StringComparison.Ordinal));
        Assert.Contains(snapshot.ReadIssues, i => i.Column == "Y" && i.Row == 3);
    }

    [Theory]
    [InlineData("""{"Date":"2001-01-01","X":1,"Cat":"a",""", "not valid JSON")]
    [InlineData("[1,2,3]", "a JSON StartArray, not an object")]
    [InlineData("""{"X":1} {"X":2}""", "not valid JSON")]
    public async Task ALineThatIsNotOneJsonObject_IsAnErrorNamingItsLine(string bad, string reason)
    {
        var snapshot = await LoadAsync("""{"Date":"2001-01-01","X":1,"Cat":"a","Y":true}""" + "\n" + bad + "\n");
        var issue = Assert.Single(snapshot.ReadIssues);
        Assert.Equal(("jsonl.malformed", 2L, ValidationSeverity.Error), (issue.Rule, issue.Row, issue.Severity));
        Assert.Contains(reason, issue.Message, StringComparison.Ordinal);
        Assert.Equal(1, snapshot.RowCount);
    }

    [Fact]
    public async Task AnAbsentLabel_IsAnError_AndALineOverTheLimitStopsTheRead()
    {
        var unlabelled = await LoadAsync("""{"Date":"2001-01-01","X":1,"Cat":"a","Y":true}""" + "\n" + """{"Date":"2001-01-01","X":1,"Cat":"a"}""");
        Assert.Contains(unlabelled.ReadIssues, i => i.Rule == "label.missing-values" && i.Row == 2);

        var schema = Schema();
        schema.MaxRecordLength = 1024;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LoadAsync("""{"Date":"2001-01-01","X":1,"Cat":"a","Y":true}""" + "\n" + $$"""{"Cat":"{{new string('a', 200_000)}}"}""", schema));
        Assert.Contains("line 2 is longer than 1024 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DerivedColumns_AreComputedAsInCsv()
    {
        var schema = Schema().DeriveNumeric("X2", row => row.GetNumeric("X") * 2);
        var snapshot = await LoadAsync("""{"Date":"2001-01-01","X":21,"Cat":"a","Y":true,"X2":5}""", schema);
        Assert.True(snapshot.Schema.Columns.Single(c => c.Name == "X2").IsDerived);
        var cursorValues = snapshot.Data.GetColumn<float>("X2").ToArray();
        Assert.Equal([42f], cursorValues);
    }

    [Fact]
    public async Task ReviewedFaults_ALoneSurrogate_ATruncatedLineWithABadValue_AnEmptyTextLabel_AndAHugeNumber()
    {
        var surrogate = await LoadAsync("""{"Date":"2001-01-01","X":1,"Cat":"a","Y":true}""" + "\n" + """{"Date":"2001-01-01","X":1,"Cat":"\ud800","Y":true}""");
        Assert.Equal(("jsonl.malformed", 2L), (Assert.Single(surrogate.ReadIssues).Rule, surrogate.ReadIssues[0].Row!.Value));

        var schema = Schema();
        schema.MalformedRowTolerance = 0.5;
        var truncated = await LoadAsync("""{"Date":"2001-01-01","X":1,"Cat":"a","Y":true}""" + "\n" + """{"X":"abc","Y":""", schema);
        Assert.Equal([("jsonl.malformed", ValidationSeverity.Warning)], truncated.ReadIssues.Select(i => (i.Rule, i.Severity)));

        var textLabel = await LoadAsync("""{"Date":"2001-01-01","X":1,"Cat":"a","Y":true}""" + "\n" + """{"Date":"2001-01-01","X":1,"Y":true}""", new CsvSchema().Numeric("X").Text("Cat").Boolean("Y").Label("Cat"));
        Assert.Contains(textLabel.ReadIssues, i => i.Rule == "label.missing-values" && i.Row == 2);

        var huge = await LoadAsync("""{"Date":"2001-01-01","X":1e400,"Cat":"a","Y":true}""");
        Assert.Equal("jsonl.out-of-range", Assert.Single(huge.ReadIssues).Rule);
    }
}
