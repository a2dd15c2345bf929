using System.Diagnostics;
using System.Globalization;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Whole-program measurements that BenchmarkDotNet's per-operation model does not fit: exact KS over
/// columns written by benchmarks/drift/compare_ks.py (so SciPy and we read the same numbers), and
/// profile throughput and peak memory at two stream lengths.
/// </summary>
internal static class DriftMeasurements
{
    /// <summary>Reads reference.f32 and current.f32 (columns × rows float32, row count in rows.txt) and times the exact KS per column.</summary>
    public static int KolmogorovSmirnov(string folder)
    {
        var shape = File.ReadAllText(Path.Combine(folder, "shape.txt")).Split(' ').Select(int.Parse).ToArray();
        var (columns, rows) = (shape[0], shape[1]);
        var reference = Read(Path.Combine(folder, "reference.f32"), columns, rows);
        var current = Read(Path.Combine(folder, "current.f32"), columns, rows);
        var names = Enumerable.Range(0, columns).Select(i => $"c{i}").ToArray();
        var options = new DriftOptions { NumericEffectSizeFloor = 0 };
        foreach (var name in names)
        {
            options.ForColumn(name, DriftMethod.KolmogorovSmirnov);
        }

        var detector = new DriftDetector(options);
        var referenceView = new ArrayColumnsView(names, reference, rows);
        var currentView = new ArrayColumnsView(names, current, rows);
        detector.Compare(new ArrayColumnsView(names, reference.Select(c => c[..1000]).ToArray(), 1000), new ArrayColumnsView(names, current.Select(c => c[..1000]).ToArray(), 1000)); // warm-up
        var clock = Stopwatch.StartNew();
        var report = detector.Compare(referenceView, currentView);
        clock.Stop();
        using var output = File.CreateText(Path.Combine(folder, "ours.txt"));
        output.WriteLine(clock.Elapsed.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
        foreach (var column in report.Columns)
        {
            output.WriteLine(FormattableString.Invariant($"{column.Column} {column.Statistic:R} {column.PValue:R}"));
        }

        Console.WriteLine(FormattableString.Invariant($"ours: {columns} columns x {rows} rows per side, exact KS in {clock.Elapsed.TotalSeconds:0.000} s"));
        return 0;
    }

    /// <summary>Profiles a stream of normal values in 1M-row chunks and reports values per second and peak working set.</summary>
    public static int ProfileThroughput(long totalRows)
    {
        const int chunk = 1_000_000;
        var buffer = new float[chunk];
        var random = new Random(1);
        for (var i = 0; i < chunk; i++)
        {
            buffer[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        var builder = new DataProfileBuilder();
        var view = new ArrayColumnsView(["x"], [buffer], chunk);
        // Warm-up past tiered compilation's delay (methods reach their optimized tier after ~100 ms
        // of calls), then start over: the figure is the steady state a long-running service sees.
        for (var round = 0; round < 4; round++)
        {
            builder.Add(view).Add(view).Add(view);
            Thread.Sleep(150);
        }

        builder = new DataProfileBuilder();
        var profiling = TimeSpan.Zero;
        for (long done = 0; done < totalRows; done += chunk)
        {
            // Shift the reused chunk a little so every chunk is new data without a generator in the timing.
            var offset = (float)(done / chunk) * 1e-3f;
            for (var i = 0; i < chunk; i++)
            {
                buffer[i] += offset;
            }

            var clock = Stopwatch.StartNew();
            builder.Add(view);
            profiling += clock.Elapsed;
        }

        var profile = builder.Build();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine(FormattableString.Invariant($"profile: {profile.RowCount:N0} values in {profiling.TotalSeconds:0.000} s = {profile.RowCount / profiling.TotalSeconds / 1e6:0.0} M values/s on one core; peak working set {process.PeakWorkingSet64 / 1048576.0:0} MB; p50 {profile["x"]!.Quantile(0.5):0.000}"));
        return 0;
    }

    private static float[][] Read(string path, int columns, int rows)
    {
        var bytes = File.ReadAllBytes(path);
        var data = new float[columns][];
        for (var c = 0; c < columns; c++)
        {
            data[c] = new float[rows];
            Buffer.BlockCopy(bytes, c * rows * 4, data[c], 0, rows * 4);
        }

        return data;
    }
}
