using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.MLNet;
using ModelRetraining.Onnx;
using ModelRetraining.Testing;
using QuickStart;

namespace ModelRetraining.Onnx.Tests;

/// <summary>
/// ML.NET models exported to ONNX score like ML.NET in ONNX Runtime (CPU native package here); the export
/// is stored with the version; providers fall back or fail as asked; bad models and bad data get clear errors.
/// </summary>
public class OnnxExportAndScoringTests
{
    private static readonly CsvDataSource Flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());

    private static async Task<(DatasetSnapshot Train, DatasetSnapshot Holdout)> FlightsAsync()
    {
        var context = new RetrainingContext("flights", "onnx-test", TimeProvider.System);
        return (await Flights.Between(new(2001, 1, 1), new(2001, 1, 15)).LoadAsync(context), await Flights.Between(new(2001, 2, 1), new(2001, 2, 15)).LoadAsync(context));
    }

    private static float[] MLNetScores(ModelArtifact model, DatasetSnapshot data, string column)
    {
        var ml = new MLContext(0);
        using var stream = new MemoryStream(model.Content.ToArray());
        var scored = ml.Model.Load(stream, out _).Transform(data.Data);
        return [.. scored.GetColumn<float>(column)];
    }

    private static async Task<ModelArtifact> TrainAsync(Func<MLContext, IEstimator<ITransformer>> estimator, DatasetSnapshot train)
    {
        var trainer = new MLNetTrainer(estimator, new MLNetTrainingOptions { Seed = 1 });
        return (await trainer.TrainAsync(train, new RetrainingContext("flights", "onnx-test", TimeProvider.System))).Artifact;
    }

    public static TheoryData<string> Trainers => ["LightGbm", "FastTree", "Linear"];

    [Theory]
    [MemberData(nameof(Trainers))]
    public async Task ExportedBinaryModel_ScoresLikeMLNet_OnRealFlights(string kind)
    {
        var (train, holdout) = await FlightsAsync();
        var model = await TrainAsync(
            ml => kind switch
            {
                "LightGbm" => FlightDelays.Estimator(ml),
                "FastTree" => ml.Transforms.Categorical.OneHotEncoding("OriginKey", "origin").Append(ml.Transforms.Concatenate("Features", "DayOfWeek", "distance", "OriginKey")).Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfTrees: 30)),
                _ => ml.Transforms.Concatenate("Features", "DayOfWeek", "distance").Append(ml.Transforms.NormalizeMinMax("Features")).Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Late", maximumNumberOfIterations: 20)),
            },
            train);

        var onnx = OnnxExport.FromMLNet(model, train);
        using var session = OnnxModel.Load(onnx, CpuOnly());
        var expected = MLNetScores(model, holdout, "Probability");
        var actual = session.Score(holdout);

        Assert.Equal("Probability.output", session.ScoreOutput);
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Length > 10_000, $"{expected.Length} holdout rows");
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst < 1e-5, $"largest difference {worst}");
    }

    [Fact]
    public async Task ExportedRegressionModel_ScoresLikeMLNet()
    {
        var (train, holdout) = await FlightsAsync();
        var model = await TrainAsync(ml => ml.Transforms.Concatenate("Features", "DayOfWeek", "distance").Append(ml.Regression.Trainers.LightGbm(labelColumnName: "delay", numberOfIterations: 30)), train);
        using var session = OnnxModel.Load(OnnxExport.FromMLNet(model, train with { Schema = new DataSchema(train.Schema.Columns, "delay") }));
        var expected = MLNetScores(model, holdout, "Score");
        var actual = session.Score(holdout);
        Assert.Equal("Score.output", session.ScoreOutput);
        Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a) / Math.Max(1, Math.Abs(e))).Max() < 1e-5);
    }

    [Fact]
    public async Task ExportOnnx_InAPipeline_StoresTheOnnxModelWithTheVersion()
    {
        var registry = new InMemoryModelRegistry();
        var result = await FlightDelays.Pipeline(registry, Flights.Between(new(2001, 1, 1), new(2001, 1, 15)), Flights.Between(new(2001, 2, 1), new(2001, 2, 15)))
            .ExportOnnx()
            .Build()
            .RunAsync();

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        var version = result.RegisteredVersion!;
        var attachment = Assert.Single(version.Attachments, a => a.Name == AttachmentNames.Onnx);
        Assert.Equal("onnx", attachment.Flavor);
        using var session = OnnxModel.Load(await registry.ReadAttachmentAsync(version, AttachmentNames.Onnx));
        var (_, holdout) = await FlightsAsync();
        Assert.Empty(session.CheckInputs(holdout.Schema));
        Assert.Equal(holdout.RowCount, session.Score(holdout).Length);
    }

    [Fact]
    public async Task DefaultProviders_WithoutCuda_FallBackToCpuWithAWarning_AndRequireGpuFails()
    {
        var (train, _) = await FlightsAsync();
        var onnx = OnnxExport.FromMLNet(await TrainAsync(ml => ml.Transforms.Concatenate("Features", "DayOfWeek", "distance").Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfTrees: 5)), train), train);
        var log = new ListLogger();

        using (var session = OnnxModel.Load(onnx, logger: log))
        {
            Assert.Equal(OnnxExecutionProvider.Cpu, session.ExecutionProvider);
        }

        var warning = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("runs on Cpu", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Cuda:", warning.Message, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidOperationException>(() => OnnxModel.Load(onnx, new OnnxModelOptions { RequireGpu = true }));
        Assert.Contains("must run on a GPU (RequireGpu) but CUDA device 0 cannot be used", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptModel_IsRefusedNamingTheFile()
    {
        var error = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(new ModelArtifact("onnx", "broken.onnx", "not a protobuf at all"u8.ToArray()), CpuOnly()));
        Assert.Contains("'broken.onnx' is not a model ONNX Runtime can load", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataThatDoesNotFitTheGraph_IsRefusedNamingInputAndColumn()
    {
        var (train, holdout) = await FlightsAsync();
        var onnx = OnnxExport.FromMLNet(await TrainAsync(FlightDelays.Estimator, train), train);
        using var session = OnnxModel.Load(onnx, CpuOnly());
        var renamed = new DataSchema([.. holdout.Schema.Columns.Select(c => c.Name == "origin" ? c with { Name = "Origin" } : c.Name == "distance" ? c with { Kind = DataColumnKind.Text } : c)], holdout.Schema.LabelColumn);

        var problems = session.CheckInputs(renamed);

        Assert.Contains(problems, p => p.Contains("input 'origin' has no column of that name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("input 'distance' takes float values, but column 'distance' holds Text", StringComparison.Ordinal));
        var error = Assert.Throws<InvalidDataException>(() => session.Score(holdout with { Schema = renamed }));
        Assert.Contains("'origin'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScoreOutputOfTheWrongType_IsRefused()
    {
        var (train, _) = await FlightsAsync();
        var onnx = OnnxExport.FromMLNet(await TrainAsync(FlightDelays.Estimator, train), train);
        var options = CpuOnly();
        options.ScoreOutput = "PredictedLabel.output";
        var error = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(onnx, options));
        Assert.Contains("output 'PredictedLabel.output' holds Boolean values; a score must be float", error.Message, StringComparison.Ordinal);
        options.ScoreOutput = "nope";
        Assert.Contains("has no output 'nope'", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(onnx, options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportOfATransformWithoutOnnxConversion_NamesTheReason()
    {
        var (train, _) = await FlightsAsync();
        var model = await TrainAsync(
            ml => ml.Transforms.Concatenate("Features", "DayOfWeek", "distance")
                .Append(ml.Transforms.ApproximatedKernelMap("Features", rank: 8))
                .Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfTrees: 5)),
            train);
        var error = Assert.Throws<NotSupportedException>(() => OnnxExport.FromMLNet(model, train));
        Assert.Contains("cannot be exported to ONNX", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportThatOnnxRuntimeRefuses_FailsAtExport_NotAtServing()
    {
        // Seen here: the quick start's LightGBM trained on January–February converts (OnnxConverter 0.23.1)
        // to a tree ensemble whose first node branches on feature -1, which ONNX Runtime 1.31 refuses;
        // trained on January 1–15 it converts and scores fine. The root cause is in the converter.
        var context = new RetrainingContext("flights", "onnx-test", TimeProvider.System);
        var train = await Flights.Between(new(2001, 1, 1), new(2001, 3, 1)).LoadAsync(context);
        var model = await TrainAsync(FlightDelays.Estimator, train);

        var error = Assert.Throws<NotSupportedException>(() => OnnxExport.FromMLNet(model, train));

        Assert.Contains("ONNX Runtime refuses the graph", error.Message, StringComparison.Ordinal);
        Assert.Contains("nodes_featureids", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("[with InputType", error.Message, StringComparison.Ordinal);
    }

    private static OnnxModelOptions CpuOnly()
    {
        var options = new OnnxModelOptions();
        options.ExecutionProviders.Clear();
        options.ExecutionProviders.Add(OnnxExecutionProvider.Cpu);
        return options;
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Entries.Add((logLevel, formatter(state, exception)));
    }
}
