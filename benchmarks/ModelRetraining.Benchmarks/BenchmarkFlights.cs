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
}
