using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Tests;

public class DataQualityTests
{
    private sealed class Customer
    {
        public float Age { get; set; }

        public float Balance { get; set; }

        public string Id { get; set; } = string.Empty;

        public string Region { get; set; } = string.Empty;

        public string Email { get; set; } = string.Empty;

        public bool Label { get; set; }
    }

    private static readonly RetrainingContext Context = new("churn", "quality-run", TimeProvider.System);

    private static DatasetSnapshot Customers(int n, Action<int, Customer>? spoil = null)
    {
        var rows = Enumerable.Range(0, n).Select(i =>
        {
            var c = new Customer { Age = 20 + (i % 50), Balance = i * 10, Id = $"c{i}", Region = i % 2 == 0 ? "EU" : "US", Email = $"u{i}@example.org", Label = i % 3 == 0 };
            spoil?.Invoke(i, c);
            return c;
        }).ToArray();
        return new DatasetSnapshot("customers.csv", new MLContext(1).Data.LoadFromEnumerable(rows), TestData.Schema, n, $"sha256:customers{n}");
    }

    private static async Task<DataValidationReport> RunAsync(DatasetSnapshot data, Action<DataQualityBuilder> rules, RetrainingContext? context = null)
    {
        var builder = new DataQualityBuilder();
        rules(builder);
        Assert.Empty(builder.Validate());
        return await new DataQualityValidator(builder.Rules.ToArray(), builder.ReportFolder).ValidateAsync(data, context ?? Context);
    }

    [Fact]
    public async Task CleanData_PassesEveryRule()
    {
        var report = await RunAsync(Customers(200), q => q
            .Completeness("Age").Unique("Id").AllowedValues("Region", "EU", "US").InRange("Age", 18, 120)
            .NonNegative("Balance").Matches("Email", @"^\S+@\S+$").RowCount(100, 1_000)
            .Mean("Age", 30, 60).StandardDeviation("Age", 5, 30).Quantile("Age", 0.5, 30, 60)
            .Satisfies("adult", row => row.GetNumeric("Age") >= 18));
        Assert.Empty(report.Issues);
    }

    [Fact]
    public async Task Completeness_WithMostly_ToleratesTheAllowedShareOnly()
    {
        var data = Customers(100, (i, c) => c.Age = i < 4 ? float.NaN : c.Age);
        Assert.Empty((await RunAsync(data, q => q.Completeness("Age", mostly: 0.95))).Issues);
        var issue = Assert.Single((await RunAsync(data, q => q.Completeness("Age", mostly: 0.99))).Issues);
        Assert.Equal("quality.completeness", issue.Rule);
        Assert.Equal(ValidationSeverity.Error, issue.Severity);
        Assert.Equal(1, issue.Row);
        Assert.Contains("96.00% of rows, below the required 99.00%", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachRule_ReportsTheColumnRowAndExpectation()
    {
        var data = Customers(100, (i, c) =>
        {
            if (i == 7)
            {
                c.Region = "APAC";
                c.Age = 150;
                c.Balance = -5;
                c.Email = "nope";
                c.Id = "c3";
            }
        });
        var report = await RunAsync(data, q => q.Unique("Id").AllowedValues("Region", "EU", "US").InRange("Age", 18, 120).NonNegative("Balance").Matches("Email", @"^\S+@\S+$").AsWarning());
        Assert.Equal(["quality.allowed-values", "quality.range", "quality.non-negative", "quality.regex", "quality.uniqueness"], report.Issues.Select(i => i.Rule));
        Assert.All(report.Issues.Where(i => i.Rule != "quality.uniqueness"), i => Assert.Equal(8, i.Row));
        Assert.Equal(ValidationSeverity.Warning, report.Issues.Single(i => i.Rule == "quality.regex").Severity);
        Assert.Contains("1 rows repeat a value already seen in 'Id'", report.Issues.Single(i => i.Rule == "quality.uniqueness").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RowCountAndChange_AreJudgedAgainstBoundsAndThePreviousBatch()
    {
        var champion = new ModelVersion("churn", 1, new ArtifactReference(new string('a', 64), 1), "t", DateTimeOffset.UnixEpoch, "t")
        {
            Datasets = [new DatasetReference("training", "old.csv", "sha256:old", 1_000)],
        };
        var context = new RetrainingContext("churn", "run", TimeProvider.System) { Champion = champion };
        var report = await RunAsync(Customers(300), q => q.RowCount(min: 500).RowCountChange(0.5, 2.0), context);
        Assert.Equal(2, report.Issues.Count);
        Assert.Contains("300 rows; expected it has at least 500 rows", report.Issues[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("9223372036854775807", report.Issues[0].Message, StringComparison.Ordinal);
        Assert.Contains("0.3x the previous batch's 1000", report.Issues[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quarantine_LeavesBadRowsOutAndWritesThemWithTheRule()
    {
        var folder = TestData.TempFolder();
        var data = Customers(50, (i, c) => c.Age = i is 3 or 9 ? -1 : c.Age);
        var report = await RunAsync(data, q =>
        {
            q.ReportFolder = folder;
            q.InRange("Age", 0, 120).Quarantine();
        });
        var issue = Assert.Single(report.Issues);
        Assert.Equal(ValidationSeverity.Warning, issue.Severity);
        Assert.Contains("2 rows", issue.Message, StringComparison.Ordinal);
        Assert.Equal([3L, 9L], report.QuarantinedRows);
        var file = Assert.Single(report.ReportFiles);
        var lines = File.ReadAllLines(file);
        Assert.StartsWith("row,rule,Age", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("4,range,-1", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("10,range,-1", lines[2], StringComparison.Ordinal);
        Assert.Contains(Path.Combine(folder, "quality-run"), file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_QuarantinedRows_AreLeftOutOfTraining()
    {
        var fixture = new PipelineFixture();
        fixture.Training.OnLoad = (_, _) => TestData.Snapshot("train", 100) with
        {
            Data = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(i => new TestData.Row { X = i < 10 ? -1 : i, Label = i % 2 == 0 }).ToArray()),
        };
        long trainedOn = 0;
        fixture.Trainer.OnTrain = (data, _, _) =>
        {
            trainedOn = data.RowCount;
            Assert.Equal(90, data.Data.GetColumn<float>("X").Count());
            Assert.DoesNotContain(-1f, data.Data.GetColumn<float>("X"));
            return new TrainedModel(new ModelArtifact("fake", "m", new byte[] { 1 }), data.Fingerprint, TimeSpan.Zero);
        };
        var folder = TestData.TempFolder();
        var result = await fixture.Builder().AddDataQuality(q =>
        {
            q.ReportFolder = folder;
            q.NonNegative("X").Quarantine();
        }).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.Equal(90, trainedOn);
        Assert.Contains("-quarantined-10-", result.RegisteredVersion!.Datasets.Single(d => d.Role == "training").Fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_BlockingRuleFailure_RejectsBeforeTraining()
    {
        var fixture = new PipelineFixture();
        var result = await fixture.Builder().AddDataQuality(q => q.RowCount(min: 1_000)).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("Rule 'row-count' on 'train'", StringComparison.Ordinal));
        Assert.Equal(0, fixture.Trainer.Calls);
    }

    [Fact]
    public async Task RuleOnAColumnTheDataLacks_IsAnErrorNamingIt()
    {
        var issue = Assert.Single((await RunAsync(Customers(10), q => q.Completeness("Tenure"))).Issues);
        Assert.Contains("column 'Tenure'", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_InvalidRules_AreAllReportedAtOnce()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().AddDataQuality(q => q
            .Completeness("A", mostly: 0)
            .InRange("B", 5, 1)
            .Matches("C", "([")
            .RowCount(min: 10, max: 1)
            .Quarantine()
            .AllowedValues("D")));
        Assert.Equal(7, error.Failures.Count());
        Assert.Contains("mostly must be in (0, 1]", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid regular expression", error.Message, StringComparison.Ordinal);
        Assert.Contains("only row-level rules can quarantine", error.Message, StringComparison.Ordinal);
        Assert.Contains("set the folder", error.Message, StringComparison.Ordinal);
    }
}
