using Microsoft.Extensions.Options;

namespace ModelRetraining.Tests;

public class RetrainingPipelineBuilderTests
{
    [Fact]
    public void Build_NothingConfigured_ListsEveryMissingPartAtOnce()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().Build());
        var failures = error.Failures.ToArray();
        Assert.Equal(7, failures.Length);
        Assert.Contains(failures, f => f.Contains("ModelName", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("training data", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("holdout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("trainer", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("evaluator", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("promotion gate", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("registry", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_SameSourceForTrainingAndHoldout_IsRefused()
    {
        var fixture = new PipelineFixture();
        var error = Assert.Throws<OptionsValidationException>(() => fixture.Builder().UseHoldoutData(fixture.Training).Build());
        Assert.Contains("the same source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Twice_IsRefusedBecauseThePipelineIsImmutable()
    {
        var builder = new PipelineFixture().Builder();
        builder.Build();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Throws<InvalidOperationException>(() => builder.UseTrainer(new Testing.FakeTrainer()));
        Assert.Throws<InvalidOperationException>(() => builder.ModelName = "other");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("")]
    public void ModelName_WithPathCharacters_IsRefusedNamingIt(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new RetrainingPipelineBuilder { ModelName = name });
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSchemaValidation_InvalidOptions_ReportsEveryProblem()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RetrainingPipelineBuilder().AddSchemaValidation(
            new DataSchema([new DataColumn("X", DataColumnKind.Numeric)]),
            o =>
            {
                o.MinRows = -1;
                o.MinLabelClasses = 0;
            }));
        Assert.Equal(3, error.Failures.Count());
        Assert.Contains("names no label column", error.Message, StringComparison.Ordinal);
        Assert.Contains("MinRows", error.Message, StringComparison.Ordinal);
        Assert.Contains("MinLabelClasses", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Defaults_AreTheDocumentedValues()
    {
        var schema = new SchemaValidationOptions();
        Assert.Equal(1, schema.MinRows);
        Assert.Equal(2, schema.MinLabelClasses);
        Assert.True(schema.RequireLabel);
        Assert.Equal(ValidationSeverity.Error, schema.ExtraColumnSeverity);
        var pipeline = new RetrainingPipelineOptions();
        Assert.True(pipeline.RegisterRejectedCandidates);
        Assert.True(pipeline.ValidateHoldout);
        var run = new RetrainingRunOptions();
        Assert.Equal("manual run", run.Reason);
        Assert.Null(run.Actor);
        var registry = new EmbeddedRegistryOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), registry.BusyTimeout);
        Assert.Same(TimeProvider.System, registry.TimeProvider);
        Assert.Equal("system", new RetrainingPipelineBuilder().Actor);
    }

    [Fact]
    public void Embedded_NonPositiveBusyTimeout_IsRefusedNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Embedded("x", new EmbeddedRegistryOptions { BusyTimeout = TimeSpan.Zero }));
        Assert.Contains("BusyTimeout", error.Message, StringComparison.Ordinal);
    }
}
