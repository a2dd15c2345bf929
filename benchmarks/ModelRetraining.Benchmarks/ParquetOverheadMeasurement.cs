using System.Diagnostics;
using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// ParquetDataSource against Parquet.Net's own read of the same file, interleaved: each round reads the file
/// raw (every column of every row group into its arrays) and through our source (the same, plus the type
/// mapping to the pipeline's kinds, the columnar snapshot and the value fingerprint), in alternating order.
/// The ratio reported is the median of the rounds' ratios.
/// </summary>
internal static class ParquetOverheadMeasurement
{
    private const int Rounds = 7;

    public static int Run(string csv)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mr-parquet-bench-{Guid.NewGuid():N}.parquet");
        try
        {
            var rows = WriteAsync(csv, file).GetAwaiter().GetResult();
            var context = new RetrainingContext("flights", "parquet-overhead", TimeProvider.System);
            var source = Parquet.ParquetDataSource.FromPath(file);
            double Ours()
            {
                var clock = Stopwatch.StartNew();
                source.LoadAsync(context).AsTask().GetAwaiter().GetResult();
                return clock.Elapsed.TotalSeconds;
            }

            double Raw()
            {
                var clock = Stopwatch.StartNew();
                ReadRawAsync(file).GetAwaiter().GetResult();
                return clock.Elapsed.TotalSeconds;
            }

            Ours();
            Raw(); // warm-up
            var ratios = new List<double>();
            var ours = new List<double>();
            var raw = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                double a, b;
                if (round % 2 == 0)
                {
                    a = Ours();
                    b = Raw();
                }
                else
                {
                    b = Raw();
                    a = Ours();
                }

                ours.Add(a);
                raw.Add(b);
                ratios.Add(a / b);
            }

            static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows} rows, {new FileInfo(file).Length / 1e6:0.0} MB: ours {Median(ours):0.000} s, Parquet.Net raw {Median(raw):0.000} s, ratio (median of {Rounds} rounds) {Median(ratios):0.00} (min {ratios.Min():0.00}, max {ratios.Max():0.00})"));
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }

    // Every column of every row group into typed arrays, with Parquet.Net alone: the floor any reader pays.
    private static async Task ReadRawAsync(string file)
    {
        await using var stream = File.OpenRead(file);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = (int)group.RowCount;
            await group.ReadAsync(fields[0], new DateTime[rows].AsMemory());
            await group.ReadAsync(fields[1], new double?[rows].AsMemory());
            await group.ReadAsync(fields[2], new double?[rows].AsMemory());
            await group.ReadAsync(fields[3], new string?[rows].AsMemory());
            await group.ReadAsync(fields[4], new string?[rows].AsMemory());
        }
    }

    // The CSV's rows as a Parquet file of 100,000-row groups, with the types a team's export would have.
    private static async Task<long> WriteAsync(string csv, string file)
    {
        var schema = new CsvSchema().Time("date").Numeric("delay").Numeric("distance").Text("origin").Text("destination");
        var snapshot = await CsvDataSource.FromFile(csv, schema).LoadAsync(new RetrainingContext("flights", "convert", TimeProvider.System));
        var view = (IColumnarDataView)snapshot.Data;
        view.TryGetColumn<DateTime>(0, out var dates);
        view.TryGetColumn<float>(1, out var delays);
        view.TryGetColumn<float>(2, out var distances);
        view.TryGetColumn<ReadOnlyMemory<char>>(3, out var origins);
        view.TryGetColumn<ReadOnlyMemory<char>>(4, out var destinations);
        var date = new DataField("date", typeof(DateTime));
        var delay = new DataField("delay", typeof(double), isNullable: true);
        var distance = new DataField("distance", typeof(double), isNullable: true);
        var origin = new DataField("origin", typeof(string));
        var destination = new DataField("destination", typeof(string));
        await using var stream = File.Create(file);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(date, delay, distance, origin, destination), stream);
        const int groupSize = 100_000;
        for (var start = 0; start < snapshot.RowCount; start += groupSize)
        {
            var length = (int)Math.Min(groupSize, snapshot.RowCount - start);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<DateTime>(date, dates.Slice(start, length).ToArray());
            await group.WriteAsync<double>(delay, delays.Slice(start, length).ToArray().Select(v => float.IsNaN(v) ? (double?)null : v).ToArray());
            await group.WriteAsync<double>(distance, distances.Slice(start, length).ToArray().Select(v => float.IsNaN(v) ? (double?)null : v).ToArray());
            await group.WriteAsync(origin, [.. origins.Slice(start, length).ToArray().Select(m => m.ToString())]);
            await group.WriteAsync(destination, [.. destinations.Slice(start, length).ToArray().Select(m => m.ToString())]);
        }

        return snapshot.RowCount;
    }
}
