using Microsoft.ML;
using ModelRetraining.MLNet;
using ModelRetraining.Onnx;
using ModelRetraining.Testing;
using QuickStart;

namespace ModelRetraining.Onnx.Tests;

/// <summary>
/// Infra validation before the gate: the candidate's ONNX export, loaded on ONNX Runtime as serving will
/// load it, must reproduce the evaluation's scores and meet latency and memory budgets; a failure rejects
/// the run with the numbers and registers nothing.
/// </summary>
public class OnnxInfraValidationTests
{
    private static readonly CsvDataSource Flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());

    private static RetrainingPipelineBuilder Pipeline(IModelRegistry registry)
        => FlightDelays.Pipeline(registry, Flights.Between(new(2001, 1, 1), new(2001, 1, 15)), Flights.Between(new(2001, 2, 1), new(2001, 2, 8)));

    private static void CpuOnly(OnnxInfraValidationOptions o)
    {
        o.Model.ExecutionProviders.Clear();
        o.Model.ExecutionProviders.Add(OnnxExecutionProvider.Cpu);
    }

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
    public async Task ExportedCandidate_PassesOnCpu_AndTheReportCarriesProviderParityAndLatency()
    {
        var registry = new InMemoryModelRegistry();
        var result = await Pipeline(registry).ExportOnnx().AddOnnxInfraValidation(CpuOnly).Build().RunAsync(new RetrainingRunOptions { RunId = "infra-ok" });

        Assert.True(result.Status == RetrainingRunStatus.Succeeded, string.Join(" | ", result.Reasons));
        var report = Assert.Single(result.InfraValidation);
        Assert.True(report.Passed);
        Assert.Equal("Cpu", report.ExecutionProvider);
        Assert.Equal(1_000, report.Rows);
        Assert.InRange(report.MaxScoreDifference!.Value, 0, 1e-5);
        Assert.True(report.LatencyP50Milliseconds > 0 && report.LatencyP99Milliseconds >= report.LatencyP50Milliseconds);
        var journal = new List<RunJournalEntry>();
        await foreach (var entry in registry.GetService<IRunJournal>()!.ReadRunAsync("infra-ok"))
        {
            journal.Add(entry);
        }

        Assert.Contains(journal, j => j.Stage == RetrainingStage.InfraValidating && j.Status == RunJournalStatus.Completed && j.Outputs!.Contains("\"ExecutionProvider\":\"Cpu\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LatencyBudgetExceeded_RejectsWithTheNumbers_AndRegistersNothing()
    {
        var registry = new InMemoryModelRegistry();
        var result = await Pipeline(registry).ExportOnnx().AddOnnxInfraValidation(o =>
        {
            CpuOnly(o);
            o.MaxLatencyP99 = TimeSpan.FromTicks(1);
        }).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Equal(RetrainingStage.InfraValidating, result.Stage);
        Assert.Contains(result.Reasons, r => r.Contains("Infra validation (onnx, Cpu): 99th-percentile single-row latency", StringComparison.Ordinal) && r.Contains("exceeds the budget of 0.0001 ms", StringComparison.Ordinal));
        Assert.Equal(0, await VersionsAsync(registry));
    }

    [Fact]
    public async Task RequireGpuWithoutOne_RejectsBeforeTheGate()
    {
        var registry = new InMemoryModelRegistry();
        var result = await Pipeline(registry).ExportOnnx().AddOnnxInfraValidation(o => o.Model.RequireGpu = true).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("does not load", StringComparison.Ordinal) && r.Contains("must run on a GPU (RequireGpu)", StringComparison.Ordinal));
        Assert.Equal(0, await VersionsAsync(registry));
    }

    [Fact]
    public async Task CandidateWithoutAnOnnxModel_IsRejectedSayingHowToAddOne()
    {
        var result = await Pipeline(new InMemoryModelRegistry()).AddOnnxInfraValidation(CpuOnly).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("has no ONNX model", StringComparison.Ordinal) && r.Contains("ExportOnnx()", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnnxModelThatScoresDifferently_IsRejectedNamingTheRowAndTheTolerance()
    {
        var registry = new InMemoryModelRegistry();
        var result = await Pipeline(registry)
            .ExportOnnx()
            .DecorateTrainer(inner => new SwappedExport(inner))
            .AddOnnxInfraValidation(CpuOnly)
            .Build()
            .RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("scores differ from the evaluation's by up to", StringComparison.Ordinal) && r.Contains("the tolerance is 1E-05", StringComparison.Ordinal));
    }

    [Fact]
    public void BadOptions_AreRefusedListingEach()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Pipeline(new InMemoryModelRegistry()).AddOnnxInfraValidation(o =>
        {
            o.SampleRows = 0;
            o.Tolerance = double.NaN;
            o.Model.ExecutionProviders.Clear();
        }));
        Assert.Contains("SampleRows", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tolerance", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model.ExecutionProviders is empty", error.Message, StringComparison.Ordinal);
    }

    // Replaces the export with one of a much smaller model, as a broken conversion would.
    private sealed class SwappedExport(ITrainer inner) : DelegatingTrainer(inner)
    {
        public override async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            var trained = await base.TrainAsync(training, context, cancellationToken);
            var other = await new MLNetTrainer(ml => ml.Transforms.Concatenate("Features", "DayOfWeek", "distance").Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfTrees: 2)), new MLNetTrainingOptions { Seed = 1 }).TrainAsync(training, context, cancellationToken);
            return trained with { Attachments = new Dictionary<string, ModelArtifact> { [AttachmentNames.Onnx] = OnnxExport.FromMLNet(other.Artifact, training) } };
        }
    }
}
