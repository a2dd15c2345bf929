namespace ModelRetraining.Tests;

public class SchemaValidatorTests
{
    private static readonly RetrainingContext Context = new("churn", "run", TimeProvider.System);

    private static Task<DataValidationReport> ValidateAsync(DatasetSnapshot data, Action<SchemaValidationOptions>? configure = null)
    {
        var options = new SchemaValidationOptions { Expected = TestData.Schema };
        configure?.Invoke(options);
        return new SchemaValidator(options).ValidateAsync(data, Context).AsTask();
    }

    [Fact]
    public async Task Validate_MatchingData_HasNoIssues()
        => Assert.Empty((await ValidateAsync(TestData.Snapshot("d", 10))).Issues);

    [Fact]
    public async Task Validate_MissingColumn_IsAnErrorNamingColumnAndSource()
    {
        var report = await ValidateAsync(TestData.Snapshot("d.csv", 10, observed: new DataSchema([new DataColumn("Label", DataColumnKind.Boolean)], "Label")));
        var issue = Assert.Single(report.Issues);
        Assert.Equal(ValidationSeverity.Error, issue.Severity);
        Assert.Equal("schema.missing-column", issue.Rule);
        Assert.Equal("X", issue.Column);
        Assert.Contains("'d.csv'", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WrongType_IsAnError()
    {
        var observed = new DataSchema([new DataColumn("X", DataColumnKind.Text), new DataColumn("Label", DataColumnKind.Boolean)], "Label");
        var issue = Assert.Single((await ValidateAsync(TestData.Snapshot("d", 10, observed: observed))).Issues);
        Assert.Equal("schema.type", issue.Rule);
        Assert.Contains("is Text; the schema expects Numeric", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ExtraColumn_FollowsTheConfiguredSeverity()
    {
        var observed = new DataSchema([.. TestData.Schema.Columns, new DataColumn("Surprise", DataColumnKind.Text)], "Label");
        var error = Assert.Single((await ValidateAsync(TestData.Snapshot("d", 10, observed: observed))).Issues);
        Assert.Equal(ValidationSeverity.Error, error.Severity);
        Assert.Equal("Surprise", error.Column);
        var warning = Assert.Single((await ValidateAsync(TestData.Snapshot("d", 10, observed: observed), o => o.ExtraColumnSeverity = ValidationSeverity.Warning)).Issues);
        Assert.Equal(ValidationSeverity.Warning, warning.Severity);
    }

    [Fact]
    public async Task Validate_EmptyDataSet_IsAnError()
    {
        var issue = Assert.Single((await ValidateAsync(TestData.Snapshot("empty.csv", 0))).Issues);
        Assert.Equal("rows.min", issue.Rule);
        Assert.Contains("'empty.csv' has no rows", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_LabelWithOneClass_IsAnError()
    {
        var issue = Assert.Single((await ValidateAsync(TestData.Snapshot("d", 10, label: _ => false))).Issues);
        Assert.Equal("label.classes", issue.Rule);
        Assert.Contains("1 distinct true/false (false)", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_NaNLabels_IsAnErrorNamingCountAndFirstRow()
    {
        var options = new SchemaValidationOptions
        {
            Expected = new DataSchema([new DataColumn("X", DataColumnKind.Numeric), new DataColumn("Label", DataColumnKind.Numeric)], "Label"),
        };
        var report = await new SchemaValidator(options).ValidateAsync(TestData.NumericLabelSnapshot("y.csv", [1f, 2f, float.NaN, 4f, float.NaN]), Context);
        var issue = Assert.Single(report.Issues);
        Assert.Equal("label.missing-values", issue.Rule);
        Assert.Equal(3, issue.Row);
        Assert.Contains("in 2 rows, first at data row 3", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ReadIssuesFromTheSource_AreKeptWithoutDuplicates()
    {
        var observed = new DataSchema([new DataColumn("X", DataColumnKind.Text), new DataColumn("Label", DataColumnKind.Boolean)], "Label");
        var snapshot = TestData.Snapshot("d.csv", 10, observed: observed) with
        {
            ReadIssues = [new DataValidationIssue(ValidationSeverity.Error, "csv.type", "Column 'X' of 'd.csv' is Numeric, but data row 4 (line 5) holds 'abc'.") { Column = "X", Row = 4 }],
        };
        var issue = Assert.Single((await ValidateAsync(snapshot)).Issues);
        Assert.Equal("csv.type", issue.Rule);
        Assert.Equal(4, issue.Row);
    }
}
