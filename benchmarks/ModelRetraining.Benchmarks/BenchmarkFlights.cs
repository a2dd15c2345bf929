using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Benchmarks;

/// <summary>The flight data and the LightGBM model the scoring, throughput and serving measurements share.</summary>
internal static class BenchmarkFlights
{
    private static readonly RetrainingContext Context = new("flight-delays", "bench", TimeProvider.System);
    private static readonly CsvDataSource Source = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());

    /// <summary>Loads the flights of [from, to).</summary>
    public static DatasetSnapshot Load(DateTime from, DateTime to)
        => Source.Between(from, to).LoadAsync(Context).AsTask().GetAwaiter().GetResult();

    /// <summary>Trains <see cref="ScoringBenchmarks.Estimator"/> (seeded) on the data.</summary>
    public static ModelArtifact Train(DatasetSnapshot data)
        => new MLNetTrainer(ScoringBenchmarks.Estimator, new MLNetTrainingOptions { Seed = 1 }).TrainAsync(data, Context).AsTask().GetAwaiter().GetResult().Artifact;

    /// <summary>
    /// The hand-written side's reader of the prepared flight files (date, delay, distance, origin,
    /// destination, DayOfWeek, Late; the date not read), as ML.NET users write it.
    /// </summary>
    public static TextLoader PreparedLoader(MLContext ml) => ml.Data.CreateTextLoader(new TextLoader.Options
    {
        Columns =
        [
            new TextLoader.Column("delay", DataKind.Single, 1),
            new TextLoader.Column("distance", DataKind.Single, 2),
            new TextLoader.Column("origin", DataKind.String, 3),
            new TextLoader.Column("destination", DataKind.String, 4),
            new TextLoader.Column("DayOfWeek", DataKind.Single, 5),
            new TextLoader.Column("Late", DataKind.Boolean, 6),
        ],
        Separators = [','],
        HasHeader = true,
        AllowQuoting = true,
        MissingRealsAsNaNs = true,
    });

    /// <summary>Our side's schema of the same prepared files: DayOfWeek and Late written out, the date read as text or not read.</summary>
    public static CsvSchema PreparedSchema(bool readDate)
    {
        var schema = new CsvSchema();
        schema = readDate ? schema.Text("date") : schema.Ignore("date");
        return schema.Numeric("delay").Numeric("distance").Text("origin").Text("destination").Numeric("DayOfWeek").Boolean("Late").Label("Late");
    }

    /// <summary>The process's peak working set so far, in MiB.</summary>
    public static double PeakMiB()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / 1048576.0;
    }
}
