using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Tests.Data;

/// <summary>Rows read without the schema (a Parquet body, objects) made into what the CSV reader makes of the same rows.</summary>
public class CsvSchemaConformTests
{
    private sealed class Raw
    {
        public float Extra { get; set; }

        public float Delay { get; set; }

        public DateTime At { get; set; }
    }

    private static CsvSchema Schema() => new CsvSchema()
        .Time("At")
        .Numeric("Delay")
        .DeriveNumeric("Hour", row => row.GetDateTime("At") is { } at ? at.Hour : float.NaN)
        .DeriveBoolean("Late", row => row.IsMissing("Delay") ? null : row.GetNumeric("Delay") > 15)
        .Label("Late");

    private static readonly DateTime Start = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task DeclaredColumnsInOrder_DerivedOnesComputed_ExtraDropped_AsTheCsvReaderDoes()
    {
        var rows = Enumerable.Range(0, 50).Select(i => new Raw { Extra = -i, Delay = i, At = Start.AddHours(i) }).ToArray();
        var objects = await DataSource.FromEnumerable("objects", () => rows).LoadAsync(Csv.Context);
        var csvPath = Csv.Write("At,Delay\n" + string.Concat(rows.Select(r => $"{r.At:yyyy-MM-dd HH:mm:ss},{r.Delay}\n")));
        var csv = await CsvDataSource.FromFile(csvPath, Schema()).LoadAsync(Csv.Context);

        var conformed = Schema().Conform(objects);

        Assert.Equal(["At", "Delay", "Hour", "Late"], conformed.Schema.Columns.Select(c => c.Name));
        Assert.Equal("Late", conformed.Schema.LabelColumn);
        Assert.Equal("At", conformed.Schema.TimeColumn);
        Assert.Equal(csv.Data.GetColumn<float>("Hour"), conformed.Data.GetColumn<float>("Hour"));
        Assert.Equal(csv.Data.GetColumn<bool>("Late"), conformed.Data.GetColumn<bool>("Late"));
        Assert.Empty(conformed.ReadIssues);
    }

    [Fact]
    public async Task RowsWithoutALabel_AreAnErrorNamingTheFirst()
    {
        var rows = Enumerable.Range(0, 10).Select(i => new Raw { Delay = i == 6 || i == 8 ? float.NaN : i, At = Start }).ToArray();
        var conformed = Schema().Conform(await DataSource.FromEnumerable("objects", () => rows).LoadAsync(Csv.Context), rowsBefore: 100);

        var issue = Assert.Single(conformed.ReadIssues);
        Assert.Equal(("label.missing-values", ValidationSeverity.Error, "Late", 107L), (issue.Rule, issue.Severity, issue.Column, issue.Row));
        Assert.Contains("missing (empty, NaN or not computable) in 2 rows", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReadColumnMissing_IsRefusedNamingIt()
    {
        var schema = Schema().Text("Origin");
        var objects = await DataSource.FromEnumerable("objects", () => new[] { new Raw() }).LoadAsync(Csv.Context);

        var error = Assert.Throws<InvalidDataException>(() => schema.Conform(objects));

        Assert.Equal("Column 'Origin' (Text) is missing from 'objects'.", error.Message);
    }
}
