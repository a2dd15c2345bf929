using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.MLNet;
using ModelRetraining.Onnx;
using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Batch scoring of 100,000 flights (March onwards) with the same LightGBM model (the quick start's
/// features, 31 leaves, 100 iterations, trained on January 1–15): ONNX Runtime on the CPU (the ML.NET export, batches of 65,536, reading the same
/// columnar data view), ML.NET's <c>Transform</c> over the data view, and ML.NET's
/// <c>PredictionEngine</c> one row at a time over the rows already materialized as objects.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private const int Rows = 100_000;
    private DatasetSnapshot _data = null!;
    private ITransformer _model = null!;
    private MLContext _ml = null!;
    private OnnxModel _onnx = null!;
    private PredictionEngine<FlightRow, FlightScore> _engine = null!;
    private FlightRow[] _rows = [];

    [GlobalSetup]
    public void Setup()
    {
        var train = BenchmarkFlights.Load(new(2001, 1, 1), new(2001, 1, 15));
        var score = BenchmarkFlights.Load(new(2001, 3, 1), new(2001, 7, 1));
        _data = score with { Data = new HeadDataView(score.Data, Rows), RowCount = Rows };

        var trained = BenchmarkFlights.Train(train);
        _ml = new MLContext(0);
        using (var stream = new MemoryStream(trained.Content.ToArray()))
        {
            _model = _ml.Model.Load(stream, out _);
        }

        var options = new OnnxModelOptions();
        options.ExecutionProviders.Clear();
        options.ExecutionProviders.Add(OnnxExecutionProvider.Cpu);
        _onnx = OnnxModel.Load(OnnxExport.FromMLNet(trained, train), options);
        _engine = _ml.Model.CreatePredictionEngine<FlightRow, FlightScore>(_model);
        _rows = [.. _ml.Data.CreateEnumerable<FlightRow>(_data.Data, reuseRowObject: false)];
        if (_rows.Length != Rows)
        {
            throw new InvalidOperationException($"{_rows.Length} rows, expected {Rows}.");
        }
    }

    // The quick start's features with a larger LightGBM. Trained on January–February, OnnxConverter 0.23.1
    // writes a tree node on feature -1 that ONNX Runtime refuses (see the ONNX tests); January 1–15 converts.
    internal static IEstimator<ITransformer> Estimator(MLContext ml)
        => ml.Transforms.Categorical.OneHotEncoding([new("OriginKey", "origin"), new("DestinationKey", "destination")])
            .Append(ml.Transforms.Concatenate("Features", "DayOfWeek", "distance", "OriginKey", "DestinationKey"))
            .Append(ml.BinaryClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmBinaryTrainer.Options
            {
                LabelColumnName = "Late",
                NumberOfIterations = 100,
                NumberOfLeaves = 31,
                MinimumExampleCountPerLeaf = 20,
                Seed = 1,
            }));

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnx.Dispose();
        _engine.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ML.NET Transform")]
    public float[] MLNetTransform() => [.. _model.Transform(_data.Data).GetColumn<float>("Probability")];

    [Benchmark(Description = "ML.NET PredictionEngine")]
    public float[] MLNetPredictionEngine()
    {
        var scores = new float[_rows.Length];
        var output = new FlightScore();
        for (var i = 0; i < _rows.Length; i++)
        {
            _engine.Predict(_rows[i], ref output);
            scores[i] = output.Probability;
        }

        return scores;
    }

    [Benchmark(Description = "ONNX Runtime (CPU)")]
    public float[] OnnxRuntime() => _onnx.Score(_data);
}
