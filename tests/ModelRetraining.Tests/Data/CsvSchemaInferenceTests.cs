namespace ModelRetraining.Tests.Data;

public class CsvSchemaInferenceTests
{
    [Fact]
    public void Infer_GuessesEachKind_FromTheSampledCells()
    {
        var path = Csv.Write("n,b,t,s,empty,bits\n1.5,true,2001-01-01 10:00:00,ORD,,1\n,no,2001-01-02,\"a, b\",,0\n-3e2,YES,2001-01-03T04:05:06Z,x,,1\n");
        var schema = CsvSchema.Infer(path);
        Assert.Equal(
            [("n", DataColumnKind.Numeric), ("b", DataColumnKind.Boolean), ("t", DataColumnKind.DateTime), ("s", DataColumnKind.Text), ("empty", DataColumnKind.Text), ("bits", DataColumnKind.Numeric)],
            schema.Columns.Select(c => (c.Name, c.Kind)));
    }

    [Fact]
    public async Task Infer_ReadsOnlyTheSample_SoACellPastItIsATypeErrorWithItsRow()
    {
        var path = Csv.Write("a\n1\n2\n3\nfour\n");
        var schema = CsvSchema.Infer(path, sampleRows: 3);
        Assert.Equal(DataColumnKind.Numeric, schema.Columns.Single().Kind);
        var snapshot = await CsvDataSource.FromFile(path, schema).LoadAsync(Csv.Context);
        var issue = Assert.Single(snapshot.ReadIssues, i => i.Severity == ValidationSeverity.Error);
        Assert.Equal(("a", 4L), (issue.Column, issue.Row));
    }

    [Fact]
    public void Time_OnAnInferredDateTimeColumn_MakesItTheTimeColumn_WithoutDeclaringItTwice()
    {
        var path = Csv.Write("at,x\n2001-01-01,1\n");
        var schema = CsvSchema.Infer(path).Time("at");
        Assert.Equal("at", schema.TimeColumn);
        Assert.Single(schema.Columns, c => c.Name == "at");
        _ = CsvDataSource.FromFile(path, schema); // valid
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("a,,b\n1,2,3\n", "no name for field 2")]
    [InlineData("a,b,a\n1,2,3\n", "names 'a' twice (fields 1 and 3)")]
    public void Infer_RefusesAFileWithoutAUsableHeader_NamingIt(string content, string message)
    {
        var path = Csv.Write(content, "odd.csv");
        var ex = Assert.Throws<InvalidDataException>(() => CsvSchema.Infer(path));
        Assert.Contains("odd.csv", ex.Message, StringComparison.Ordinal);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Infer_AMissingFile_IsFileNotFound()
        => Assert.Throws<FileNotFoundException>(() => CsvSchema.Infer(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.csv")));

    [Fact]
    public async Task Load_ReportsTheShareOfTheFileRead_ToTheContextsProgressSink()
    {
        var path = Csv.Write("a\n" + string.Concat(Enumerable.Range(0, 200_000).Select(i => $"{i}\n")));
        var reports = new List<RetrainingProgress>();
        var context = new RetrainingContext("m", "r", TimeProvider.System) { Progress = new Collect(reports) };
        await CsvDataSource.FromFile(path, new CsvSchema().Numeric("a")).LoadAsync(context);
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(RetrainingStage.Ingesting, r.Stage));
        Assert.Equal(reports.Select(r => r.Fraction!.Value).Order(), reports.Select(r => r.Fraction!.Value));
        Assert.InRange(reports[^1].Fraction!.Value, 0.2, 1.0);
        Assert.Contains("rows read", reports[0].Message, StringComparison.Ordinal);
    }

    // Synchronous, unlike Progress<T>, so the reports are all in when the load returns.
    private sealed class Collect(List<RetrainingProgress> into) : IProgress<RetrainingProgress>
    {
        public void Report(RetrainingProgress value)
        {
            lock (into)
            {
                into.Add(value);
            }
        }
    }
}
