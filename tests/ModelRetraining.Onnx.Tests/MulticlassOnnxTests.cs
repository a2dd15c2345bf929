using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Onnx.Tests;

/// <summary>
/// Multiclass ML.NET models (the label keyed by MapValueToKey in the chain) export to ONNX without the
/// label, name their classes in the model's metadata, score like ML.NET, and evaluate on ONNX Runtime to
/// ML.NET's own metrics. Flights bucketed by arrival delay: early, on time (up to 15 minutes), late.
/// </summary>
public class MulticlassOnnxTests
{
    private static readonly CsvDataSource Flights = CsvDataSource.FromFile(
        FlightDelays.DataFile,
        FlightDelays.Schema().DeriveNumeric("Band", row => row.IsMissing("delay") ? float.NaN : row.GetNumeric("delay") switch { < 0 => 0f, <= 15 => 1f, _ => 2f }));

    private static readonly RetrainingContext Context = new("flight-bands", "onnx-test", TimeProvider.System);

    public static TheoryData<string> Trainers => ["LightGbm", "Linear"];

    private static async Task<(DatasetSnapshot Train, DatasetSnapshot Holdout, ModelArtifact Model)> TrainAsync(string kind)
    {
        var train = await Flights.Between(new(2001, 1, 1), new(2001, 1, 15)).LoadAsync(Context);
        var holdout = await Flights.Between(new(2001, 2, 1), new(2001, 2, 8)).LoadAsync(Context);
        (train, holdout) = (Banded(train), Banded(holdout));
        var trainer = new MLNetTrainer(
            ml => ml.Transforms.Conversion.MapValueToKey("BandKey", "Band")
                .Append(ml.Transforms.Concatenate("Features", "DayOfWeek", "distance"))
                .Append(kind == "LightGbm"
                    ? (IEstimator<ITransformer>)ml.MulticlassClassification.Trainers.LightGbm(labelColumnName: "BandKey", numberOfIterations: 20)
                    : ml.Transforms.NormalizeMinMax("Features").Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: "BandKey", maximumNumberOfIterations: 10))),
            new MLNetTrainingOptions { Seed = 1 });
        return (train, holdout, (await trainer.TrainAsync(train, Context)).Artifact);
    }

    private static DatasetSnapshot Banded(DatasetSnapshot data)
    {
        // Rows without a delay have no band: ML.NET's key mapping would make them missing keys.
        var ml = new MLContext(0);
        var kept = ml.Data.FilterRowsByMissingValues(data.Data, "Band");
        return data with { Data = kept, RowCount = kept.GetColumn<float>("Band").LongCount(), Schema = new DataSchema(data.Schema.Columns, "Band") };
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public async Task ExportedMulticlassModel_NamesItsClasses_AndScoresLikeMLNet(string kind)
    {
        var (train, holdout, model) = await TrainAsync(kind);
        using var onnx = OnnxModel.Load(OnnxExport.FromMLNet(model, train), CpuOnly());

        var ml = new MLContext(0);
        using var stream = new MemoryStream(model.Content.ToArray());
        var scored = ml.Model.Load(stream, out _).Transform(holdout.Data);
        var expected = scored.GetColumn<float[]>("Score").ToArray();
        var actual = onnx.ScoreClasses(holdout);

        Assert.Equal("Score.output", onnx.ScoreOutput);
        Assert.Equal(3, onnx.ScoreWidth);
        Assert.Equal(OnnxExport.SlotNames(scored.Schema["Score"]), onnx.ClassLabels);
        Assert.Equal(["0", "1", "2"], onnx.ClassLabels.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => e.Zip(a, (x, y) => Math.Abs(x - y)).Max()).Max();
        Assert.True(worst < 1e-5, $"largest difference {worst}");
        Assert.Contains("multiclass model", Assert.Throws<InvalidOperationException>(() => onnx.Score(holdout)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MulticlassEvaluationOnOnnxRuntime_MatchesMLNetsMetrics()
    {
        var (train, holdout, model) = await TrainAsync("LightGbm");
        var onnxArtifact = OnnxExport.FromMLNet(model, train);
        var candidate = new TrainedModel(model, train.Name, TimeSpan.Zero) { Attachments = new Dictionary<string, ModelArtifact> { [AttachmentNames.Onnx] = onnxArtifact } };

        var onnx = (await new OnnxEvaluator(MLTask.MulticlassClassification, CpuOnly(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .EvaluateAsync(new EvaluationInput(candidate, null, holdout), Context)).Candidate;
        var mlnet = (await new MLNetEvaluator(MLTask.MulticlassClassification, new MLNetEvaluationOptions { LabelColumn = "BandKey" })
            .EvaluateAsync(new EvaluationInput(candidate, null, holdout), Context)).Candidate;

        Assert.Equal("Cpu", onnx.ExecutionProvider);
        foreach (var metric in new[] { "MicroAccuracy", "MacroAccuracy", "LogLoss", "MacroF1" })
        {
            Assert.True(Math.Abs(onnx.Metrics[metric].Value - mlnet.Metrics[metric].Value) < 1e-4, $"{metric}: ONNX {onnx.Metrics[metric].Value} vs ML.NET {mlnet.Metrics[metric].Value}");
        }

        Assert.Equal(mlnet.Outputs!.Scores.ToArray(), onnx.Outputs!.Scores.ToArray());
    }

    [Fact]
    public async Task ClassLabels_ThatDoNotFitTheScoreVector_OrALabelOutsideThem_AreRefusedByName()
    {
        var (train, holdout, model) = await TrainAsync("LightGbm");
        var artifact = OnnxExport.FromMLNet(model, train);
        var options = CpuOnly();
        options.ClassLabels.Add("early");
        options.ClassLabels.Add("late");
        Assert.Contains("holds 3 values per row, but 2 class labels are given", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(artifact, options)).Message, StringComparison.Ordinal);

        options.ClassLabels.Add("on time");
        var candidate = new TrainedModel(model, train.Name, TimeSpan.Zero) { Attachments = new Dictionary<string, ModelArtifact> { [AttachmentNames.Onnx] = artifact } };
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await new OnnxEvaluator(MLTask.MulticlassClassification, options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .EvaluateAsync(new EvaluationInput(candidate, null, holdout), Context));
        Assert.Contains("row 1: label '", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not a class of", error.Message, StringComparison.Ordinal);
    }

    private static OnnxModelOptions CpuOnly()
    {
        var options = new OnnxModelOptions();
        options.ExecutionProviders.Remove(OnnxExecutionProvider.Cuda);
        return options;
    }
}
