using Microsoft.ML;
using ModelRetraining.Testing;
using QuickStart;

namespace ModelRetraining.MLNet.Tests;

/// <summary>
/// Infra validation of ML.NET candidates: the artifact, loaded from its bytes as the model server loads it,
/// must reproduce the evaluation's scores and meet latency and memory budgets; a failure rejects the run
/// with the numbers and registers nothing. Real LightGBM on flights-2001.
/// </summary>
public class MLNetInfraValidationTests
{
    private static readonly CsvDataSource Flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());

    private static RetrainingPipelineBuilder Pipeline(IModelRegistry registry)
        => FlightDelays.Pipeline(registry, Flights.Between(new(2001, 1, 1), new(2001, 1, 15)), Flights.Between(new(2001, 2, 1), new(2001, 2, 8)));

    private static async Task<int> VersionsAsync(IModelRegistry registry)
    {
        var count = 0;
        await foreach (var _ in registry.ListVersionsAsync("flight-delays"))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task SerializedCandidate_ReproducesTheEvaluation_AndTheReportCarriesLatency()
    {
        var result = await Pipeline(new InMemoryModelRegistry()).AddMLNetInfraValidation(MLTask.BinaryClassification).Build().RunAsync();

        Assert.True(result.Status == RetrainingRunStatus.Succeeded, string.Join(" | ", result.Reasons));
        var report = Assert.Single(result.InfraValidation);
        Assert.True(report.Passed, string.Join(" | ", report.Problems));
        Assert.Equal("ML.NET", report.ExecutionProvider);
        Assert.Equal(1_000, report.Rows);
        Assert.InRange(report.MaxScoreDifference!.Value, 0, 1e-6);
        Assert.True(report.LatencyP50Milliseconds > 0 && report.LatencyP99Milliseconds >= report.LatencyP50Milliseconds, $"p50 {report.LatencyP50Milliseconds} p99 {report.LatencyP99Milliseconds}");
        Assert.NotNull(report.MemoryGrowthBytes);
    }

    [Fact]
    public async Task LatencyBudgetExceeded_RejectsWithTheNumbers_AndRegistersNothing()
    {
        var registry = new InMemoryModelRegistry();
        var result = await Pipeline(registry).AddMLNetInfraValidation(MLTask.BinaryClassification, o => o.MaxLatencyP50 = TimeSpan.FromTicks(1)).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Equal(RetrainingStage.InfraValidating, result.Stage);
        Assert.Contains(result.Reasons, r => r.Contains("Infra validation (mlnet, ML.NET): median single-row latency", StringComparison.Ordinal) && r.Contains("exceeds the budget of 0.0001 ms", StringComparison.Ordinal));
        Assert.Equal(0, await VersionsAsync(registry));
    }

    [Fact]
    public async Task StoredBytesThatScoreDifferentlyFromTheLiveModel_AreRejectedNamingTheRow()
    {
        var registry = new InMemoryModelRegistry();
        var result = await Pipeline(registry)
            .DecorateTrainer(inner => new ReplacedArtifact(inner, other: true))
            .AddMLNetInfraValidation(MLTask.BinaryClassification)
            .Build()
            .RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("scores differ from the evaluation's by up to", StringComparison.Ordinal) && r.Contains("holdout row", StringComparison.Ordinal) && r.Contains("the tolerance is 1E-05", StringComparison.Ordinal));
        Assert.Equal(0, await VersionsAsync(registry));
    }

    [Fact]
    public async Task StoredBytesThatDoNotLoad_AreRejectedSayingSo()
    {
        var registry = new InMemoryModelRegistry();
        var result = await Pipeline(registry)
            .DecorateTrainer(inner => new ReplacedArtifact(inner, other: false))
            .AddMLNetInfraValidation(MLTask.BinaryClassification)
            .Build()
            .RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("The model does not load", StringComparison.Ordinal));
        Assert.Equal(0, await VersionsAsync(registry));
    }

    [Fact]
    public void BadOptions_AreRefusedListingEach()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Pipeline(new InMemoryModelRegistry()).AddMLNetInfraValidation(MLTask.BinaryClassification, o =>
        {
            o.SampleRows = 0;
            o.LatencyRuns = -1;
            o.MaxMemoryGrowthBytes = 0;
        }));
        Assert.Contains("SampleRows must be 1 or more; it is 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("LatencyRuns must be 1 or more; it is -1", error.Message, StringComparison.Ordinal);
        Assert.Contains("budgets must be positive", error.Message, StringComparison.Ordinal);
    }

    // Keeps the live model (which the evaluator scores) but stores other bytes: another model's, or garbage.
    private sealed class ReplacedArtifact(ITrainer inner, bool other) : DelegatingTrainer(inner)
    {
        public override async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            var trained = await base.TrainAsync(training, context, cancellationToken);
            if (!other)
            {
                return trained with { Artifact = trained.Artifact with { Content = "not a zip"u8.ToArray() } };
            }

            var small = await new MLNetTrainer(ml => ml.Transforms.Concatenate("Features", "DayOfWeek", "distance").Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfTrees: 2)), new MLNetTrainingOptions { Seed = 1 }).TrainAsync(training, context, cancellationToken);
            return trained with { Artifact = small.Artifact };
        }
    }
}
