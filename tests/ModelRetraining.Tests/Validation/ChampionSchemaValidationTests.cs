using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace ModelRetraining.Tests;

public class ChampionSchemaValidationTests
{
    private sealed class Row
    {
        public float X { get; set; }

        public string Region { get; set; } = string.Empty;

        public bool Label { get; set; }
    }

    private sealed class Unlabelled
    {
        public float X { get; set; }

        public string Region { get; set; } = string.Empty;
    }

    private static DatasetSnapshot Snapshot(string name, IDataView data, long rows) => new(name, data, TestData.Schema, rows, $"sha256:{name}");

    private static async Task<(InMemoryFixture Fixture, RetrainingContext Context)> ChampionAsync()
    {
        var fixture = new InMemoryFixture();
        var reference = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(i => new Row { X = i, Region = i % 2 == 0 ? "EU" : "US", Label = i % 3 == 0 }).ToArray());
        var profile = DataProfile.Create(reference);
        var schema = InferredSchema.FromProfile(profile, "Label");
        var champion = await fixture.Registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("t", "m", new byte[] { 1 }), "t")
        {
            Attachments = new Dictionary<string, ModelArtifact> { ["schema.json"] = new("schema", "schema.json", System.Text.Encoding.UTF8.GetBytes(schema.ToJson())) },
        });
        return (fixture, new RetrainingContext("churn", "run", TimeProvider.System) { Champion = champion, Registry = fixture.Registry });
    }

    private sealed class InMemoryFixture
    {
        public Testing.InMemoryModelRegistry Registry { get; } = new();
    }

    [Fact]
    public void FromProfile_InfersTypesNullabilityDomainsRangesAndLabel()
    {
        var data = new MLContext(1).Data.LoadFromEnumerable(new[] { new Row { X = 1, Region = "EU", Label = true }, new Row { X = float.NaN, Region = "US" }, new Row { X = 7, Region = "EU" } });
        var schema = InferredSchema.FromJson(InferredSchema.FromProfile(DataProfile.Create(data), "Label").ToJson());
        var x = schema.Columns.Single(c => c.Name == "X");
        Assert.True(x.Nullable);
        Assert.Equal(1, x.Min);
        Assert.Equal(7, x.Max);
        Assert.Equal(["EU", "US"], schema.Columns.Single(c => c.Name == "Region").Domain);
        Assert.False(schema.Columns.Single(c => c.Name == "Region").Nullable);
        Assert.Equal("Label", schema.LabelColumn);
    }

    [Fact]
    public async Task NewCategoriesOutOfRangeAndNewMissingValues_AreReportedWithShares()
    {
        var (_, context) = await ChampionAsync();
        var current = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(i => new Row { X = i < 20 ? 500 + i : i, Region = i < 10 ? "APAC" : "EU", Label = i % 2 == 0 }).Append(new Row { X = float.NaN, Region = "EU" }).ToArray());
        var report = await new ChampionSchemaValidator(new ChampionSchemaOptions()).ValidateAsync(Snapshot("new.csv", current, 101), context);
        Assert.Contains(report.Issues, i => i.Rule == "schema.new-categories" && i.Column == "Region" && i.Message.Contains("APAC", StringComparison.Ordinal) && i.Message.Contains("9.9%", StringComparison.Ordinal));
        Assert.Contains(report.Issues, i => i.Rule == "schema.out-of-range" && i.Column == "X" && i.Message.Contains("[0, 199]", StringComparison.Ordinal));
        Assert.Contains(report.Issues, i => i.Rule == "schema.new-missing" && i.Column == "X");
        Assert.All(report.Issues, i => Assert.Equal(ValidationSeverity.Warning, i.Severity));
    }

    [Fact]
    public async Task LabelAbsent_IsAnErrorForTrainingAndExpectedForServing()
    {
        var (_, context) = await ChampionAsync();
        var serving = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 50).Select(i => new Unlabelled { X = i, Region = "EU" }).ToArray());
        var training = await new ChampionSchemaValidator(new ChampionSchemaOptions()).ValidateAsync(Snapshot("serving.csv", serving, 50), context);
        var issue = Assert.Single(training.Issues);
        Assert.Equal("schema.label-missing", issue.Rule);
        Assert.Equal(ValidationSeverity.Error, issue.Severity);
        var atServing = await new ChampionSchemaValidator(new ChampionSchemaOptions { Environment = SchemaEnvironment.Serving }).ValidateAsync(Snapshot("serving.csv", serving, 50), context);
        Assert.Empty(atServing.Issues);
    }

    [Fact]
    public async Task Pipeline_StoresTheInferredSchemaWithEveryVersion()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        var second = await fixture.Builder().AddChampionSchemaValidation().Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Succeeded, second.Status);
        Assert.Contains(second.RegisteredVersion!.Attachments, a => a.Name == "schema.json");
        Assert.DoesNotContain(second.Validation.Where(r => r.Validator == "champion-schema").SelectMany(r => r.Issues), i => i.Severity == ValidationSeverity.Error);
    }

    [Fact]
    public void Options_Invalid_AreAllReported()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().AddChampionSchemaValidation(o =>
        {
            o.NewCategoryShare = 2;
            o.OutOfRangeShare = -1;
        }));
        Assert.Equal(2, error.Failures.Count());
    }
}
