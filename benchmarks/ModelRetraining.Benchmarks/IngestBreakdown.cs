using System.Diagnostics;
using System.Globalization;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Where an ingest's time goes, stage by stage on one file: CSV parse (with the fingerprint), profile, and
/// the batch encoding. Two rounds in one process: the first pays the JIT, the second is warm.
/// </summary>
internal static class IngestBreakdown
{
    public static int Run(string csv)
    {
        var schema = new CsvSchema().Time("date").Numeric("delay").Numeric("distance").Text("origin").Text("destination");
        var context = new RetrainingContext("flights", "breakdown", TimeProvider.System);
        for (var round = 1; round <= 2; round++)
        {
            var clock = Stopwatch.StartNew();
            var snapshot = CsvDataSource.FromFile(csv, schema).LoadAsync(context).AsTask().GetAwaiter().GetResult();
            var parse = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var profile = new DataProfileBuilder();
            profile.Add(snapshot.Data, CancellationToken.None);
            profile.Build();
            var profiling = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var bytes = BatchCodec.Encode(snapshot);
            var encoding = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: parse {parse:0.000} s, profile {profiling:0.000} s, encode {encoding:0.000} s ({bytes.Length} bytes for {snapshot.RowCount} rows)"));
        }

        return 0;
    }
}
