// BenchmarkDotNet:          dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- --filter '*'
// KS against SciPy:         python3 benchmarks/drift/compare_ks.py   (calls this program with "ks <folder>")
// Concept-drift detectors:  dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- concept-drift [output.md]
// Paired bootstrap speed:   dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- bootstrap
// Profile throughput/memory: dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- profile <rows>
// Retraining cycle at 1M/10M rows: bash benchmarks/cycle/run.sh   (calls this program with "cycle-prepare", "cycle-hand" and "cycle-pipeline")
// Drift at scale, exact and from sketches: dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- drift-scale <rows> <columns>
// Profile against pandas:    bash benchmarks/profile/run.sh   (calls this program with "profile-file <file.f32> <answers>" and "profile-text <rows> <flights.csv>")
// ONNX batch scoring:       dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- --filter '*ScoringBenchmarks*'
// ONNX rows/s by batch:     dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- onnx-throughput cpu|cuda   (cuda: benchmarks/onnx-gpu/run.sh)
// Deterministic model zip:  dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- --filter '*ModelSave*'
// Serving overhead, interleaved: dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- serving-overhead
// CSV ingest against pandas:  bash benchmarks/ingest/run.sh   (calls this program with "ingest <file.csv>"; "ingest-breakdown <file.csv>" times each stage)
// Upload endpoint MB/s:        dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- upload <file.csv>
// Dashboards watching a run:  dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- dashboard-watchers [watchers] [rounds]
// A run followed live:        dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- run-monitor [watchers] [rounds]
// Registry ops/s, SQLite vs PostgreSQL: bash benchmarks/registry/run.sh   (calls this program with "registry-throughput [seconds]")
// Promotion to swap across processes: bash benchmarks/swap/run.sh   (calls this program with "swap-latency <serving node dll> [promotions]")
// Parquet read overhead:       dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- parquet-overhead <file.csv>
using BenchmarkDotNet.Running;
using ModelRetraining.Benchmarks;

return args switch
{
    ["ks", var folder] => DriftMeasurements.KolmogorovSmirnov(folder),
    ["bootstrap"] => BootstrapMeasurement.Run(),
    ["concept-drift", ..] => ConceptDriftMeasurement.Run(args.Length > 1 ? args[1] : null),
    ["onnx-throughput", var provider] => OnnxThroughputMeasurement.Run(provider),
    ["serving-overhead"] => ServingOverheadMeasurement.Run(),
    ["ingest", var csv] => IngestMeasurement.Run(csv),
    ["upload", var csv] => UploadMeasurement.Run(csv),
    ["swap-latency", var node, ..] => SwapLatencyMeasurement.Run(node, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200),
    ["registry-throughput", ..] => RegistryThroughputMeasurement.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5),
    ["parquet-overhead", var csv] => ParquetOverheadMeasurement.Run(csv),
    ["ingest-breakdown", var csv] => IngestBreakdown.Run(csv),
    ["dashboard-watchers", ..] => DashboardWatchersMeasurement.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5),
    ["run-monitor", ..] => RunMonitorMeasurement.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5),
    ["cycle-prepare", var train, var holdout, var work] => CycleMeasurement.Prepare(train, holdout, work),
    ["cycle-pipeline", var train, var holdout, var registry] => CycleMeasurement.Pipeline(train, holdout, registry),
    ["cycle-hand", var train, var holdout, var champion] => CycleMeasurement.Hand(train, holdout, champion),
    ["drift-scale", var rows, var columns] => DriftScaleMeasurement.Run(int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture), int.Parse(columns, System.Globalization.CultureInfo.InvariantCulture)),
    ["profile-file", var bin, ..] => ProfileMeasurement.File(bin, args.Length > 2 ? args[2] : null),
    ["profile-text", var rows, var csv] => ProfileMeasurement.Text(long.Parse(rows, System.Globalization.CultureInfo.InvariantCulture), csv),
    ["profile", var rows] => DriftMeasurements.ProfileThroughput(long.Parse(rows, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(PipelineOverheadBenchmarks).Assembly).Run(args);
    return 0;
}
