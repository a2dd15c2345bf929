using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using ModelRetraining.MLNet;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// What a deterministic model file costs: ML.NET's <c>Model.Save</c> of the quick start's LightGBM (trained on
/// January 1–15, 2001) alone, and followed by <c>DeterministicZip.Normalize</c> (every entry rewritten with a
/// fixed time, so equal models hash equally), which the trainer does once per run.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15)]
[MemoryDiagnoser]
public class ModelSaveBenchmarks
{
    private MLContext _ml = null!;
    private ITransformer _model = null!;
    private DataViewSchema _schema = null!;
    private byte[] _saved = [];

    [GlobalSetup]
    public void Setup()
    {
        var train = BenchmarkFlights.Load(new(2001, 1, 1), new(2001, 1, 15));
        var trained = BenchmarkFlights.Train(train);
        _ml = new MLContext(0);
        using var stream = new MemoryStream(trained.Content.ToArray());
        _model = _ml.Model.Load(stream, out _schema);
        _saved = Save();
    }

    [Benchmark(Baseline = true, Description = "Model.Save")]
    public byte[] Save()
    {
        using var buffer = new MemoryStream();
        _ml.Model.Save(_model, _schema, buffer);
        return buffer.ToArray();
    }

    [Benchmark(Description = "Model.Save + DeterministicZip.Normalize")]
    public byte[] SaveDeterministic() => DeterministicZip.Normalize(Save());

    [Benchmark(Description = "DeterministicZip.Normalize alone")]
    public byte[] NormalizeOnly() => DeterministicZip.Normalize(_saved);
}
