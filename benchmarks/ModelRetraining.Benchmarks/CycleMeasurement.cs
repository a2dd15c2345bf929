using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// A whole retraining cycle at scale (issue 19), on the files benchmarks/cycle/make_data.py writes.
/// <c>cycle-pipeline</c>: ingest, schema validation, quality rules, validation against the champion's
/// schema, profile, drift against the champion's profile, LightGBM, evaluation of both models, a gate
/// with DeLong's test, register, promote; each stage's time from the run journal. <c>cycle-hand</c>:
/// the same ML written by hand in ML.NET (TextLoader, Fit, Evaluate both models, Model.Save).
/// <c>cycle-prepare</c> trains the champion both sides start from. Each prints its peak working set.
/// </summary>
internal static class CycleMeasurement
{
    public static int Prepare(string train, string holdout, string work)
    {
        // The champion: the pipeline on the first 200,000 training rows (its profile is the drift reference).
        var small = Path.Combine(work, "champion-train.csv");
        File.WriteAllLines(small, File.ReadLines(train).Take(200_001));
        var registry = ModelRegistry.Embedded(Path.Combine(work, "registry"));
        var result = Configure(registry, small, holdout).Build().RunAsync().AsTask().GetAwaiter().GetResult();
        if (result.Status != RetrainingRunStatus.Succeeded)
        {
            Console.Error.WriteLine(result.ToString());
            return 1;
        }

        File.WriteAllBytes(Path.Combine(work, "champion.zip"), registry.ReadArtifactAsync(result.RegisteredVersion!).AsTask().GetAwaiter().GetResult().Content.ToArray());
        Console.WriteLine($"champion: v{result.RegisteredVersion!.Version} from 200,000 rows");
        return 0;
    }

    public static int Pipeline(string train, string holdout, string registryFolder)
    {
        var clock = Stopwatch.StartNew();
        var pipeline = Configure(ModelRegistry.Embedded(registryFolder), train, holdout).Build();
        var result = pipeline.RunAsync().AsTask().GetAwaiter().GetResult();
        var total = clock.Elapsed;
        var stages = new List<string>();
        foreach (var entry in pipeline.Journal.ReadRunAsync(result.RunId).ToBlockingEnumerable())
        {
            if (entry.Duration > TimeSpan.Zero)
            {
                stages.Add(FormattableString.Invariant($"{entry.Stage} {entry.Duration.TotalSeconds:0.00} s"));
            }
        }

        Console.WriteLine(FormattableString.Invariant($"pipeline: {result.Status} in {total.TotalSeconds:0.00} s; peak working set {BenchmarkFlights.PeakMiB():0} MiB; stages: {string.Join(", ", stages)}"));
        if (result.Status is not (RetrainingRunStatus.Succeeded or RetrainingRunStatus.Rejected))
        {
            Console.Error.WriteLine(result.ToString());
            return 1;
        }

        return 0;
    }

    public static int Hand(string train, string holdout, string championZip)
    {
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(1);
        var loader = BenchmarkFlights.PreparedLoader(ml);
        var trainView = loader.Load(train);
        var holdoutView = loader.Load(holdout);
        var model = FlightDelays.Estimator(ml).Fit(trainView);
        var fitted = clock.Elapsed;
        var candidate = ml.BinaryClassification.Evaluate(model.Transform(holdoutView), "Late");
        var champion = ml.Model.Load(championZip, out _);
        var baseline = ml.BinaryClassification.Evaluate(champion.Transform(holdoutView), "Late");
        var evaluated = clock.Elapsed;
        ml.Model.Save(model, trainView.Schema, Path.Combine(Path.GetTempPath(), $"mr-cycle-hand-{Environment.ProcessId}.zip"));
        File.Delete(Path.Combine(Path.GetTempPath(), $"mr-cycle-hand-{Environment.ProcessId}.zip"));
        var total = clock.Elapsed;
        Console.WriteLine(FormattableString.Invariant($"hand-written: AUC {candidate.AreaUnderRocCurve:0.0000} vs champion {baseline.AreaUnderRocCurve:0.0000} in {total.TotalSeconds:0.00} s; peak working set {BenchmarkFlights.PeakMiB():0} MiB; load+fit {fitted.TotalSeconds:0.00} s, evaluate both {(evaluated - fitted).TotalSeconds:0.00} s, save {(total - evaluated).TotalSeconds:0.00} s"));
        return 0;
    }

    // The quick start's stages on the prepared columns (DayOfWeek and Late written out, the date not read).
    private static RetrainingPipelineBuilder Configure(IModelRegistry registry, string train, string holdout)
    {
        var schema = BenchmarkFlights.PreparedSchema(readDate: false);
        return new RetrainingPipelineBuilder { ModelName = "flight-delays", Actor = "bench" }
            .UseTrainingData(CsvDataSource.FromFile(train, schema))
            .UseHoldoutData(CsvDataSource.FromFile(holdout, schema))
            .AddSchemaValidation(schema.ToDataSchema())
            .AddDataQuality(q => q.Completeness("delay", mostly: 0.99).InRange("distance", 1, 6_000).RowCount(min: 1_000))
            .AddChampionSchemaValidation()
            .AddDriftDetection()
            .AddMLNetTraining(FlightDelays.Estimator, o => o.Seed = 1)
            .AddMLNetEvaluation(MLTask.BinaryClassification)
            .AddPromotionGate(g => g
                .Metric("AUC").AtLeast(0.55)
                .NoWorseThanChampion("AUC", margin: 0.005)
                .NotSignificantlyWorse("AUC", margin: 0.005)
                .NoWorseThanChampion("LogLoss", margin: 0.005)
                .OnFirstRun(FirstRunPolicy.ValueThresholdsOnly))
            .UseRegistry(registry);
    }
}
