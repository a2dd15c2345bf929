using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Profiles against pandas on the same numbers: <c>profile-file</c> reads the column-major float32
/// file that benchmarks/profile/make_data.py writes (as pandas_profile.py does), then times only the
/// profile (every statistic on, columns on every core) and the answers pandas is asked for, and writes
/// those answers so the script can hold them to pandas'. <c>profile-text</c> times text columns.
/// </summary>
internal static class ProfileMeasurement
{
    private static readonly double[] Quantiles = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

    public static int File(string path, string? answers)
    {
        var shape = System.IO.File.ReadAllText(path + ".shape").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var names = shape[1..];
        var rows = int.Parse(shape[0], CultureInfo.InvariantCulture);
        var columns = new float[names.Length][];
        using (var file = System.IO.File.OpenHandle(path))
        {
            for (var c = 0; c < names.Length; c++)
            {
                columns[c] = GC.AllocateUninitializedArray<float>(rows);
                var target = System.Runtime.InteropServices.MemoryMarshal.AsBytes(columns[c].AsSpan());
                for (var done = 0; done < target.Length;)
                {
                    done += RandomAccess.Read(file, target[done..], ((long)c * rows * 4) + done);
                }
            }
        }

        var view = new ArrayColumnsView(names, columns, rows);
        // PROFILE_WARM=0 times a cold process (what one profile in a fresh process costs; the profile's
        // loops are compiled fully optimized at first call); otherwise rounds on a sample come first.
        if (Environment.GetEnvironmentVariable("PROFILE_WARM") != "0")
        {
            var small = new ArrayColumnsView(names, columns.Select(c => c[..Math.Min(rows, 100_000)]).ToArray(), Math.Min(rows, 100_000));
            for (var round = 0; round < 20; round++)
            {
                Describe(DataProfile.Create(small), names); // past tiered compilation's delay
                Thread.Sleep(10);
            }
        }

        var clock = Stopwatch.StartNew();
        var profile = DataProfile.Create(view);
        var described = Describe(profile, names);
        clock.Stop();
        Console.WriteLine(FormattableString.Invariant($"ours: {names.Length} columns x {rows:N0} rows = {(double)names.Length * rows / 1e6:0} M values profiled in {clock.Elapsed.TotalSeconds:0.000} s = {names.Length * (double)rows / clock.Elapsed.TotalSeconds / 1e6:0} M values/s on {Environment.ProcessorCount} cores"));
        if (answers is not null)
        {
            System.IO.File.WriteAllLines(answers, described);
        }

        return 0;
    }

    // What pandas' describe() + quantile() + nunique() give, from the profile (histogram included, which pandas is not asked for).
    private static List<string> Describe(DataProfile profile, string[] names)
    {
        var lines = new List<string>();
        foreach (var name in names)
        {
            var column = profile[name]!;
            var quantiles = string.Join(' ', Quantiles.Select(q => column.Quantile(q).ToString("R", CultureInfo.InvariantCulture)));
            _ = column.Histogram(20);
            lines.Add(FormattableString.Invariant($"{name} {column.Count} {column.Mean:R} {column.StandardDeviation:R} {column.Min:R} {column.Max:R} {column.DistinctCount} {column.RankError:R} {quantiles}"));
        }

        return lines;
    }

    public static int Text(long rows, string csv)
    {
        // The flights' origin and destination codes (low cardinality; one string per code, as the CSV
        // reader's interning leaves them) and a unique id per row (high), strings made in row order.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = System.IO.File.ReadLines(csv).Skip(1).Select(l => l.Split(',').Select(f => pool.TryAdd(f, f) ? f : pool[f]).ToArray()).Take(500_000).ToArray();
        var n = (int)rows;
        var origin = new ReadOnlyMemory<char>[n];
        var destination = new ReadOnlyMemory<char>[n];
        var id = new ReadOnlyMemory<char>[n];
        for (var i = 0; i < n; i++)
        {
            var line = lines[i % lines.Length];
            origin[i] = line[3].AsMemory();
            destination[i] = line[4].AsMemory();
            id[i] = string.Create(CultureInfo.InvariantCulture, $"flight-{i}").AsMemory();
        }

        foreach (var (name, values) in new[] { ("airport codes", new[] { origin, destination }), ("unique ids", new[] { id }) })
        {
            var names = values.Select((_, i) => $"t{i}").ToArray();
            var view = new ArrayColumnsView(names, values, n, TextDataViewType.Instance);
            var small = new ArrayColumnsView(names, values.Select(v => v[..100_000]).ToArray(), 100_000, TextDataViewType.Instance);
            for (var round = 0; round < 20; round++)
            {
                _ = DataProfile.Create(small);
                Thread.Sleep(10);
            }

            var clock = Stopwatch.StartNew();
            var profile = DataProfile.Create(view);
            clock.Stop();
            var values1 = (double)values.Length * n;
            Console.WriteLine(FormattableString.Invariant($"text ({name}): {values.Length} columns x {n:N0} rows in {clock.Elapsed.TotalSeconds:0.000} s = {values1 / clock.Elapsed.TotalSeconds / 1e6:0.0} M values/s on {Environment.ProcessorCount} cores; distinct {profile.Columns[0].DistinctCount:N0}"));
        }

        return 0;
    }
}
