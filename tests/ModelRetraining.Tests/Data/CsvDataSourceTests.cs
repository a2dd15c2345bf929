using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Tests.Data;

public class CsvDataSourceTests
{
    private static Task<DatasetSnapshot> LoadAsync(string path, CsvSchema schema) => CsvDataSource.FromFile(path, schema).LoadAsync(Csv.Context).AsTask();

    [Fact]
    public async Task Load_QuotedFields_KeepSeparatorsQuotesAndLineBreaks()
    {
        var path = Csv.Write("name,n\n\"Smith, John\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\nplain,4\n");
        var snapshot = await LoadAsync(path, new CsvSchema().Text("name").Numeric("n"));
        Assert.Empty(snapshot.ReadIssues);
        Assert.Equal(4, snapshot.RowCount);
        var names = snapshot.Data.GetColumn<ReadOnlyMemory<char>>("name").Select(m => m.ToString()).ToArray();
        Assert.Equal(["Smith, John", "say \"hi\"", "two\nlines", "plain"], names);
        Assert.Equal([1f, 2f, 3f, 4f], snapshot.Data.GetColumn<float>("n").ToArray());
    }

    [Fact]
    public async Task Load_MissingNumericCells_AreNaNNotZero()
    {
        var path = Csv.Write("a,b\n1,\n,2\nNaN,3\n");
        var snapshot = await LoadAsync(path, new CsvSchema().Numeric("a").Numeric("b"));
        var a = snapshot.Data.GetColumn<float>("a").ToArray();
        var b = snapshot.Data.GetColumn<float>("b").ToArray();
        Assert.Equal(1f, a[0]);
        Assert.True(float.IsNaN(a[1]));
        Assert.True(float.IsNaN(a[2]));
        Assert.True(float.IsNaN(b[0]));
        Assert.Empty(snapshot.ReadIssues);
    }

    [Fact]
    public async Task Load_NonNumericValue_ReportsRowLineColumnAndValue()
    {
        var path = Csv.Write("a,b\n1,2\n3,4\n5,abc\n7,x\n");
        var snapshot = await LoadAsync(path, new CsvSchema().Numeric("a").Numeric("b"));
        var issue = Assert.Single(snapshot.ReadIssues);
        Assert.Equal(ValidationSeverity.Error, issue.Severity);
        Assert.Equal("csv.type", issue.Rule);
        Assert.Equal("b", issue.Column);
        Assert.Equal(3, issue.Row);
        Assert.Contains("data row 3 (line 4) holds 'abc'", issue.Message, StringComparison.Ordinal);
        Assert.Contains("2 values in all", issue.Message, StringComparison.Ordinal);
        Assert.Contains($"of '{Path.GetFileName(path)}' is Numeric", issue.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetDirectoryName(path)!, issue.Message, StringComparison.Ordinal);
        Assert.Equal(path, issue.Source);
        Assert.Equal(DataColumnKind.Text, snapshot.Schema.Find("b")?.Kind);
    }

    [Fact]
    public async Task Load_MissingAndExtraColumns_AreReportedAndObserved()
    {
        var path = Csv.Write("a,surprise\n1,x\n");
        var snapshot = await LoadAsync(path, new CsvSchema().Numeric("a").Numeric("b"));
        var issue = Assert.Single(snapshot.ReadIssues);
        Assert.Equal("schema.missing-column", issue.Rule);
        Assert.Equal("b", issue.Column);
        Assert.Contains("its header has a, surprise", issue.Message, StringComparison.Ordinal);
        Assert.Null(snapshot.Schema.Find("b"));
        Assert.Equal(DataColumnKind.Text, snapshot.Schema.Find("surprise")?.Kind);
    }

    [Fact]
    public async Task Load_HeaderWithDuplicateNames_IsAnErrorNamingBothFields()
    {
        var path = Csv.Write("a,b,a\n1,2,3\n");
        var snapshot = await LoadAsync(path, new CsvSchema().Numeric("a").Numeric("b"));
        var issue = Assert.Single(snapshot.ReadIssues);
        Assert.Equal("csv.duplicate-header", issue.Rule);
        Assert.Contains("names 'a' twice (fields 1 and 3)", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_RowWithWrongFieldCount_IsReportedAndSkipped()
    {
        var path = Csv.Write("a,b\n1,2\n3\n5,6\n");
        var snapshot = await LoadAsync(path, new CsvSchema().Numeric("a").Numeric("b"));
        Assert.Equal(2, snapshot.RowCount);
        var issue = Assert.Single(snapshot.ReadIssues);
        Assert.Equal("csv.field-count", issue.Rule);
        Assert.Equal(2, issue.Row);
    }

    [Fact]
    public async Task Load_TimeWindow_KeepsRowsInFromInclusiveToExclusive()
    {
        var path = Csv.Synthetic(72);
        var source = CsvDataSource.FromFile(path, Csv.SyntheticSchema()).Between(new DateTime(2001, 1, 2), new DateTime(2001, 1, 3));
        var snapshot = await source.LoadAsync(Csv.Context);
        Assert.Equal(24, snapshot.RowCount);
        var dates = snapshot.Data.GetColumn<DateTime>("date").ToArray();
        Assert.Equal(new DateTime(2001, 1, 2), dates[0]);
        Assert.Equal(new DateTime(2001, 1, 2, 23, 0, 0), dates[^1]);
        Assert.Equal($"{Path.GetFileName(path)} [2001-01-02 .. 2001-01-03)", snapshot.Name);
        Assert.Equal($"{path} [2001-01-02 00:00:00 .. 2001-01-03 00:00:00)", snapshot.Location);
    }

    [Fact]
    public async Task Load_Fingerprint_IsStableAndFollowsTheRowsKept()
    {
        var path = Csv.Synthetic(72);
        var source = CsvDataSource.FromFile(path, Csv.SyntheticSchema());
        var all1 = await source.LoadAsync(Csv.Context);
        var all2 = await source.LoadAsync(Csv.Context);
        var day = await source.Between(new DateTime(2001, 1, 2), new DateTime(2001, 1, 3)).LoadAsync(Csv.Context);
        Assert.StartsWith("sha256:", all1.Fingerprint, StringComparison.Ordinal);
        Assert.Equal(all1.Fingerprint, all2.Fingerprint);
        Assert.NotEqual(all1.Fingerprint, day.Fingerprint);

        // Appending rows outside the window leaves the window's fingerprint unchanged.
        File.AppendAllText(path, "2001-02-01 00:00:00,1,a,true\n");
        var dayAfterAppend = await source.Between(new DateTime(2001, 1, 2), new DateTime(2001, 1, 3)).LoadAsync(Csv.Context);
        Assert.Equal(day.Fingerprint, dayAfterAppend.Fingerprint);
        Assert.NotEqual(all1.Fingerprint, (await source.LoadAsync(Csv.Context)).Fingerprint);
    }

    [Fact]
    public async Task Load_GzipFile_ReadsLikeThePlainFile()
    {
        var plain = Csv.Synthetic(50);
        var gz = plain + ".gz";
        using (var input = File.OpenRead(plain))
        using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
        {
            input.CopyTo(output);
        }

        var a = await LoadAsync(plain, Csv.SyntheticSchema());
        var b = await LoadAsync(gz, Csv.SyntheticSchema());
        Assert.Equal(a.RowCount, b.RowCount);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
    }

    [Fact]
    public async Task Load_ADerivationReadingAColumnDerivedAfterIt_SeesItMissing_NotThePreviousRowsValue()
    {
        var path = Csv.Write("x\n1\n2\n3\n");
        var schema = new CsvSchema().Numeric("x")
            .DeriveNumeric("Early", r => r.GetNumeric("Later"))
            .DeriveNumeric("Later", r => r.GetNumeric("x") * 10);
        var snapshot = await LoadAsync(path, schema);
        Assert.Equal([10f, 20f, 30f], snapshot.Data.GetColumn<float>("Later").ToArray());
        Assert.All(snapshot.Data.GetColumn<float>("Early").ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public async Task Load_TimesWithZOrAnOffset_AreReadInUtc_WhateverTheMachinesTimeZone()
    {
        // The same instant three ways; a local-time conversion made the window keep 2 rows under UTC and 1 in New York.
        var path = Csv.Write("at,x\n2001-01-01T23:30:00Z,1\n2001-01-01 18:30:00-05:00,2\n2001-01-01 23:30:00,3\n2001-01-02T00:30:00+01:00,4\n");
        var snapshot = await CsvDataSource.FromFile(path, new CsvSchema().Time("at").Numeric("x")).Between(new DateTime(2001, 1, 1), new DateTime(2001, 1, 2)).LoadAsync(Csv.Context);
        Assert.Equal(4, snapshot.RowCount);
        Assert.All(snapshot.Data.GetColumn<DateTime>("at").ToArray(), at => Assert.Equal(new DateTime(2001, 1, 1, 23, 30, 0), at));
    }

    [Fact]
    public async Task Load_AnAmbiguousDate_IsATypeErrorNamingTheRow_UnlessAFormatSaysWhatItMeans()
    {
        var path = Csv.Write("at,x\n01/02/2001,1\n");
        var refused = await LoadAsync(path, new CsvSchema().DateTime("at").Numeric("x"));
        var issue = Assert.Single(refused.ReadIssues, i => i.Column == "at");
        Assert.Contains("data row 1", issue.Message, StringComparison.Ordinal);

        var schema = new CsvSchema { DateTimeFormats = ["dd/MM/yyyy"] }.DateTime("at").Numeric("x");
        var read = await LoadAsync(path, schema);
        Assert.Empty(read.ReadIssues);
        Assert.Equal(new DateTime(2001, 2, 1), read.Data.GetColumn<DateTime>("at").Single());
    }

    [Fact]
    public void Schema_AnEmptyFormatList_IsRefusedNamingTheSetting()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => CsvDataSource.FromFile("x.csv", new CsvSchema { DateTimeFormats = [] }.DateTime("at")));
        Assert.Contains("DateTimeFormats", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_ACrLfInsideAQuotedField_IsKept()
    {
        var path = Csv.Write("note,x\r\n\"first\r\nsecond\",1\r\n");
        var snapshot = await LoadAsync(path, new CsvSchema().Text("note").Numeric("x"));
        Assert.Equal("first\r\nsecond", snapshot.Data.GetColumn<string>("note").Single());
    }

    [Fact]
    public async Task Load_DerivedColumns_AreComputedPerRow()
    {
        var path = Csv.Write("date,delay\n2001-01-01 10:00:00,20\n2001-01-06 10:00:00,3\n2001-01-07 10:00:00,\n");
        var schema = new CsvSchema().Time("date").Numeric("delay")
            .DeriveNumeric("DayOfWeek", r => r.GetDateTime("date") is { } at ? (float)at.DayOfWeek : float.NaN)
            .DeriveBoolean("Late", r => r.IsMissing("delay") ? null : r.GetNumeric("delay") > 15)
            .Label("Late");
        var snapshot = await LoadAsync(path, schema);
        Assert.Equal([1f, 6f, 0f], snapshot.Data.GetColumn<float>("DayOfWeek").ToArray());
        Assert.Equal([true, false, false], snapshot.Data.GetColumn<bool>("Late").ToArray());
        var issue = Assert.Single(snapshot.ReadIssues);
        Assert.Equal("label.missing-values", issue.Rule);
        Assert.Equal(3, issue.Row);
        Assert.True(snapshot.Schema.Find("Late")?.IsDerived);
    }

    [Fact]
    public async Task Load_MissingFile_ThrowsNamingTheFile()
    {
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => LoadAsync("no/such/flights.csv", Csv.SyntheticSchema()));
        Assert.Contains("flights.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_EmptyFile_ThrowsNamingTheFile()
    {
        var path = Csv.Write(string.Empty);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LoadAsync(path, Csv.SyntheticSchema()));
        Assert.Contains($"'{Path.GetFileName(path)}' is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_HeaderOnly_GivesAnEmptyDataSet()
    {
        var snapshot = await LoadAsync(Csv.Write("date,x,cat,y\n"), Csv.SyntheticSchema());
        Assert.Equal(0, snapshot.RowCount);
        Assert.Equal(0, snapshot.Data.GetRowCount());
    }

    [Fact]
    public void FromFile_InconsistentSchema_ReportsEveryProblem()
    {
        var error = Assert.Throws<OptionsValidationException>(() => CsvDataSource.FromFile("x.csv", new CsvSchema().Numeric("a").Numeric("a").Label("missing")));
        Assert.Equal(2, error.Failures.Count());
        Assert.Contains("declared 2 times", error.Message, StringComparison.Ordinal);
        Assert.Contains("label column 'missing'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Between_WithoutTimeColumnOrEmptyWindow_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => CsvDataSource.FromFile("x.csv", new CsvSchema().Numeric("a")).Between(null, DateTime.MaxValue));
        Assert.Throws<ArgumentException>(() => CsvDataSource.FromFile("x.csv", Csv.SyntheticSchema()).Between(new DateTime(2001, 2, 1), new DateTime(2001, 1, 1)));
    }

    [Fact]
    public async Task Load_DataView_WorksWithMLNetCursorsAndColumnSelection()
    {
        var snapshot = await LoadAsync(Csv.Synthetic(30), Csv.SyntheticSchema());
        var view = snapshot.Data;
        Assert.Equal(30, view.GetRowCount());
        using var cursor = view.GetRowCursor([view.Schema["x"]]);
        Assert.True(cursor.IsColumnActive(view.Schema["x"]));
        Assert.False(cursor.IsColumnActive(view.Schema["y"]));
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<bool>(view.Schema["y"]));
        var rows = 0;
        while (cursor.MoveNext())
        {
            rows++;
        }

        Assert.Equal(30, rows);
        var ml = new MLContext(1);
        Assert.Equal(30, ml.Data.CreateEnumerable<Row>(ml.Data.Cache(view), reuseRowObject: false).Count());
    }

    private sealed class Row
    {
        public float x { get; set; }

        public bool y { get; set; }
    }
}
