using System.Diagnostics;
using System.Globalization;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// One CSV ingest into a batch, as a whole process, for <c>benchmarks/ingest/run.sh</c> to time against
/// pandas on the same file: parse with the flights schema (types checked, UTC times), profile every column
/// (the drift profile a batch is compared with), fingerprint, encode and store the batch in a fresh
/// embedded dataset store. Prints rows, seconds and the peak working set.
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
            var store = DatasetStore.Embedded(folder);
            var profiled = new ProfilingSource(CsvDataSource.FromFile(csv, schema));
            var batch = store.AppendAsync("flights", profiled, "bench").AsTask().GetAwaiter().GetResult();
            clock.Stop();
            using var process = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows {batch.Rows} seconds {clock.Elapsed.TotalSeconds:0.000} peak-working-set-MiB {process.PeakWorkingSet64 / (1024.0 * 1024):0} profiled-columns {profiled.Columns}"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // Profiles what it reads, as a batch checked for drift is profiled.
    private sealed class ProfilingSource(IDataSource inner) : DelegatingDataSource(inner)
    {
        public int Columns { get; private set; }

        public override async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
        {
            var snapshot = await base.LoadAsync(context, cancellationToken).ConfigureAwait(false);
            var builder = new DataProfileBuilder();
            builder.Add(snapshot.Data, cancellationToken);
            Columns = builder.Build().Columns.Count;
            return snapshot;
        }
    }
}
