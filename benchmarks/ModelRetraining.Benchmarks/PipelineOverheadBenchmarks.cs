using System.Globalization;
using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// What does the pipeline cost on top of the ML it drives? The same work twice on the same files:
/// LightGBM on the January–May flights (208,148 rows), candidate and champion scored on June
/// (41,852 rows), the model saved. Once through <see cref="RetrainingPipeline"/> (CSV source, schema
/// validation, gate, embedded SQLite registry with a champion present, journal, promotion), once as
/// hand-written ML.NET (TextLoader, Fit, Evaluate twice, Model.Save to a file).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 7)]
[MemoryDiagnoser]
public class PipelineOverheadBenchmarks
{
    private string _folder = string.Empty;
    private string _train = string.Empty;
    private string _holdout = string.Empty;
    private string _championZip = string.Empty;
    private RetrainingPipeline? _pipeline;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "mr-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _train = Path.Combine(_folder, "train.csv");
        _holdout = Path.Combine(_folder, "holdout.csv");
        SplitWithFeatures(FlightDelays.DataFile, _train, _holdout);

        // A champion for both sides: trained once on January–February.
        var registry = ModelRegistry.Embedded(Path.Combine(_folder, "registry"));
        var source = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var first = FlightDelays.Pipeline(registry, source.Between(new DateTime(2001, 1, 1), new DateTime(2001, 3, 1)), source.Between(new DateTime(2001, 3, 1), new DateTime(2001, 3, 8)))
            .Build().RunAsync().AsTask().GetAwaiter().GetResult();
        if (first.Status != RetrainingRunStatus.Succeeded)
        {
            throw new InvalidOperationException($"Champion setup ended {first.Status}: {string.Join("; ", first.Reasons)}");
        }

        _championZip = Path.Combine(_folder, "champion.zip");
        File.WriteAllBytes(_championZip, registry.ReadArtifactAsync(first.RegisteredVersion!).AsTask().GetAwaiter().GetResult().Content.ToArray());

        _pipeline = new RetrainingPipelineBuilder { ModelName = "flight-delays" }
            .UseTrainingData(CsvDataSource.FromFile(_train, PreparedSchema()))
            .UseHoldoutData(CsvDataSource.FromFile(_holdout, PreparedSchema()))
            .AddSchemaValidation(PreparedSchema().ToDataSchema())
            .AddMLNetTraining(FlightDelays.Estimator, o => o.Seed = 1)
            .AddMLNetEvaluation(MLTask.BinaryClassification)
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.55).NoWorseThanChampion("AUC", margin: 0.005).NoWorseThanChampion("LogLoss", margin: 0.005))
            .UseRegistry(registry)
            .Build();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true, Description = "hand-written ML.NET")]
    public double HandWritten()
    {
        var ml = new MLContext(1);
        var loader = BenchmarkFlights.PreparedLoader(ml);
        var train = loader.Load(_train);
        var holdout = loader.Load(_holdout);
        var model = FlightDelays.Estimator(ml).Fit(train);
        var candidate = ml.BinaryClassification.Evaluate(model.Transform(holdout), "Late");
        var champion = ml.Model.Load(_championZip, out _);
        var baseline = ml.BinaryClassification.Evaluate(champion.Transform(holdout), "Late");
        ml.Model.Save(model, train.Schema, Path.Combine(_folder, "candidate.zip"));
        return candidate.AreaUnderRocCurve - baseline.AreaUnderRocCurve;
    }

    [Benchmark(Description = "RetrainingPipeline.RunAsync")]
    public async Task<RetrainingRunStatus> Pipeline()
    {
        var result = await _pipeline!.RunAsync();
        if (result.Status is not (RetrainingRunStatus.Succeeded or RetrainingRunStatus.Rejected))
        {
            throw new InvalidOperationException($"Run ended {result.Status}: {string.Join("; ", result.Reasons)}");
        }

        return result.Status;
    }

    private static CsvSchema PreparedSchema() => BenchmarkFlights.PreparedSchema(readDate: true);

    // Both sides read the same plain CSV files, with the derived columns already written out.
    private static void SplitWithFeatures(string source, string train, string holdout)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(source), CompressionMode.Decompress));
        using var trainWriter = new StreamWriter(train);
        using var holdoutWriter = new StreamWriter(holdout);
        var header = reader.ReadLine() + ",DayOfWeek,Late";
        trainWriter.WriteLine(header);
        holdoutWriter.WriteLine(header);
        var june = new DateTime(2001, 6, 1);
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(',');
            var at = DateTime.Parse(fields[0], CultureInfo.InvariantCulture);
            var late = int.Parse(fields[1], CultureInfo.InvariantCulture) > 15;
            var row = $"{line},{(int)at.DayOfWeek},{(late ? "true" : "false")}";
            (at >= june ? holdoutWriter : trainWriter).WriteLine(row);
        }
    }
}
