using System.Diagnostics;
using System.Globalization;
using ModelRetraining.MLNet;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// One CSV ingest into a batch, as a whole process, for <c>benchmarks/ingest/run.sh</c> to time against
/// pandas on the same file: <see cref="DatasetStore.AppendAsync"/> checked by a pipeline (schema, quality
/// rules with quarantine, and a profile of every column, the drift profile a batch is compared with), which
/// parses with the flights schema (types checked, UTC times), fingerprints, encodes and stores the batch in a
/// fresh embedded dataset store. A file of two parts or more is read in parts of 8 MiB on every core
/// (<see cref="DatasetStore.FilePartBytes"/>). Prints rows, seconds and the peak working set. Environment:
/// <c>INGEST_PARALLELISM</c> and <c>INGEST_PART_BYTES</c> set the store's, <c>INGEST_WARM</c> ingests once
/// before the timed ingest (the in-process figure, without start-up and JIT).
/// </summary>
internal static class IngestMeasurement
{
    public static int Run(string csv)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"mr-ingest-bench-{Guid.NewGuid():N}");
        try
        {
            var clock = Stopwatch.StartNew();
            var schema = new CsvSchema().Time("date").Numeric("delay").Numeric("distance").Text("origin").Text("destination");
            var store = DatasetStore.Embedded(Path.Combine(folder, "datasets"));
            if (Environment.GetEnvironmentVariable("INGEST_PARALLELISM") is { } parallelism)
            {
                store.ReadParallelism = int.Parse(parallelism, CultureInfo.InvariantCulture);
            }

            store.FilePartBytes = Environment.GetEnvironmentVariable("INGEST_PART_BYTES") is { } partBytes ? long.Parse(partBytes, CultureInfo.InvariantCulture) : 8L << 20;

            var profiles = new ProfilingValidator();
            var checks = new RetrainingPipelineBuilder { ModelName = "flights" }
                .UseTrainingData(CsvDataSource.FromFile(csv, schema))
                .UseHoldoutData(CsvDataSource.FromFile(csv, schema))
                .AddSchemaValidation(schema.ToDataSchema(), o => o.RequireLabel = false)
                .AddDataQuality(q =>
                {
                    q.Completeness("delay", mostly: 0.95).InRange("distance", 0, 10_000).Quarantine();
                    q.ReportFolder = Path.Combine(folder, "quarantine");
                })
                .AddValidator(profiles)
                .AddMLNetTraining(ScoringBenchmarks.Estimator)
                .AddMLNetEvaluation(MLTask.BinaryClassification)
                .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.55))
                .UseRegistry(ModelRegistry.Embedded(Path.Combine(folder, "registry")))
                .Build();
            if (Environment.GetEnvironmentVariable("INGEST_WARM") is not null)
            {
                // The same ingest once before the timed one, to a dataset of its own: the figure without start-up and JIT.
                store.AppendAsync("warm-up", CsvDataSource.FromFile(csv, schema), "bench", checkWith: checks).AsTask().GetAwaiter().GetResult();
                clock.Restart();
            }

            var batch = store.AppendAsync("flights", CsvDataSource.FromFile(csv, schema), "bench", checkWith: checks).AsTask().GetAwaiter().GetResult();
            clock.Stop();
            using var process = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows {batch.Rows} seconds {clock.Elapsed.TotalSeconds:0.000} peak-working-set-MiB {process.PeakWorkingSet64 / (1024.0 * 1024):0} parts {batch.Parts.Count} profiled-columns {profiles.Columns}"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // Profiles every column of what it checks, as the drift check profiles a batch (the same builder).
    private sealed class ProfilingValidator : IDataValidator
    {
        public string Name => "profile";

        public int Columns { get; private set; }

        public ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            var builder = new DataProfileBuilder();
            builder.Add(data.Data, cancellationToken);
            Columns = builder.Build().Columns.Count;
            return ValueTask.FromResult(new DataValidationReport(Name, data.Name, []));
        }
    }
}
