using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using ModelRetraining.MLNet;
using ModelRetraining.Onnx;
using ModelRetraining.Testing;
using QuickStart;

namespace ModelRetraining.Onnx.Tests;

/// <summary>
/// A model trained elsewhere comes in as an ONNX file, or from a command that writes one; it is checked
/// against the data, evaluated on ONNX Runtime with the provider recorded, gated and registered. Commands
/// that fail or hang end the run with the cause and change nothing.
/// </summary>
public class OnnxImportAndEvaluationTests
{
    private static readonly CsvDataSource Flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());

    // "Trained elsewhere": an ML.NET model exported once and written to a file, as a Python job would write one.
    private static async Task<string> ExternalModelAsync()
    {
        var context = new RetrainingContext("flights", "import-test", TimeProvider.System);
        var train = await Flights.Between(new(2001, 1, 1), new(2001, 1, 15)).LoadAsync(context);
        var trained = await new MLNetTrainer(FlightDelays.Estimator, new MLNetTrainingOptions { Seed = 1 }).TrainAsync(train, context);
        var path = Path.Combine(Path.GetTempPath(), "mr-onnx", Guid.NewGuid().ToString("N"), "external.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, OnnxExport.FromMLNet(trained.Artifact, train).Content.ToArray());
        return path;
    }

    private static RetrainingPipelineBuilder Pipeline(IModelRegistry registry)
        => new RetrainingPipelineBuilder { ModelName = "flight-delays", Actor = "tests" }
            .UseTrainingData(Flights.Between(new(2001, 1, 15), new(2001, 2, 1)))
            .UseHoldoutData(Flights.Between(new(2001, 2, 1), new(2001, 2, 8)))
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.55))
            .UseRegistry(registry);

    private static void CpuOnly(OnnxModelOptions o)
    {
        o.ExecutionProviders.Clear();
        o.ExecutionProviders.Add(OnnxExecutionProvider.Cpu);
    }

    [Fact]
    public async Task ImportedOnnxFile_IsEvaluatedOnOnnxRuntime_GatedAndRegisteredAsOnnx()
    {
        var registry = new InMemoryModelRegistry();
        var path = await ExternalModelAsync();

        var result = await Pipeline(registry).UseOnnxModel(path).AddOnnxEvaluation(MLTask.BinaryClassification, CpuOnly).Build().RunAsync();

        Assert.True(result.Status == RetrainingRunStatus.Succeeded, string.Join(" | ", result.Reasons));
        Assert.Equal("onnx", result.RegisteredVersion!.Flavor);
        Assert.Equal("Cpu", result.Evaluation!.Candidate.ExecutionProvider);
        Assert.Equal(path, result.RegisteredVersion.Parameters["source"]);

        // The same AUC as ML.NET computes on the same scores and labels.
        var ml = new MLContext(0);
        var outputs = result.Evaluation.Candidate.Outputs!;
        var rows = Enumerable.Range(0, outputs.Scores.Length).Select(i => new ScoredRow { Label = outputs.Labels.Span[i] > 0.5f, Score = outputs.Scores.Span[i], PredictedLabel = outputs.Scores.Span[i] > 0.5f });
        var mlnet = ml.BinaryClassification.EvaluateNonCalibrated(ml.Data.LoadFromEnumerable(rows), "Label", "Score", "PredictedLabel");
        Assert.Equal(mlnet.AreaUnderRocCurve, result.Evaluation.Candidate.Metrics["AUC"].Value, 6);

        // A second run evaluates the ONNX champion the same way, on the same holdout.
        var second = await Pipeline(registry).UseOnnxModel(path).AddOnnxEvaluation(MLTask.BinaryClassification, CpuOnly).Build().RunAsync();
        Assert.Equal(result.Evaluation.Candidate.Metrics["AUC"].Value, second.Evaluation!.Champion!.Metrics["AUC"].Value, 9);
    }

    [Fact]
    public async Task TrainingCommand_WritesTheModel_AndItsOutputGoesToTheLog()
    {
        var source = await ExternalModelAsync();
        var output = Path.Combine(Path.GetDirectoryName(source)!, "from-command.onnx");
        var result = await Pipeline(new InMemoryModelRegistry())
            .UseOnnxTrainingCommand("/bin/sh", ["-c", $"echo training on the new data; cp '{source}' '{output}'"], output, TimeSpan.FromSeconds(60))
            .AddOnnxEvaluation(MLTask.BinaryClassification, CpuOnly)
            .Build()
            .RunAsync();

        Assert.True(result.Status == RetrainingRunStatus.Succeeded, string.Join(" | ", result.Reasons));
        Assert.StartsWith("/bin/sh -c echo training", result.RegisteredVersion!.Parameters["source"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainingCommandThatHangs_IsStoppedAtTheTimeout_AndTheRunFailsWithNothingRegistered()
    {
        var registry = new InMemoryModelRegistry();
        var result = await Pipeline(registry)
            .UseOnnxTrainingCommand("/bin/sh", ["-c", "sleep 60"], Path.Combine(Path.GetTempPath(), "never.onnx"), TimeSpan.FromSeconds(1))
            .AddOnnxEvaluation(MLTask.BinaryClassification, CpuOnly)
            .Build()
            .RunAsync();

        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Equal(RetrainingStage.Training, result.Stage);
        Assert.Contains("did not finish within 00:00:01; it was stopped", result.Exception!.Message, StringComparison.Ordinal);
        await foreach (var version in registry.ListVersionsAsync("flight-delays"))
        {
            Assert.Fail($"{version} was registered");
        }
    }

    [Fact]
    public async Task TrainingCommandThatFails_EndsTheRunWithItsExitCodeAndLastOutput()
    {
        var result = await Pipeline(new InMemoryModelRegistry())
            .UseOnnxTrainingCommand("/bin/sh", ["-c", "echo 'CUDA out of memory' >&2; exit 3"], Path.Combine(Path.GetTempPath(), "never.onnx"), TimeSpan.FromSeconds(30))
            .AddOnnxEvaluation(MLTask.BinaryClassification, CpuOnly)
            .Build()
            .RunAsync();

        Assert.Equal(RetrainingRunStatus.Failed, result.Status);
        Assert.Contains("exited with code 3", result.Exception!.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA out of memory", result.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportedModelWhoseInputsTheDataLacks_IsRefusedNamingTheInput()
    {
        var path = await ExternalModelAsync();
        var context = new RetrainingContext("flights", "import-test", TimeProvider.System);
        var data = await Flights.Between(new(2001, 1, 15), new(2001, 2, 1)).LoadAsync(context);
        var without = data with { Schema = new DataSchema([.. data.Schema.Columns.Where(c => c.Name != "destination")], data.Schema.LabelColumn, data.Schema.TimeColumn) };
        var trainer = new OnnxImportTrainer(path, null, [], TimeSpan.Zero, NullLogger.Instance);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await trainer.TrainAsync(without, context));

        Assert.Contains("does not fit the data", error.Message, StringComparison.Ordinal);
        Assert.Contains("input 'destination' has no column of that name", error.Message, StringComparison.Ordinal);
    }

    private sealed class ScoredRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
