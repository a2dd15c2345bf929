using System.Diagnostics;

namespace ModelRetraining.Benchmarks;

/// <summary>
/// Drift at scale: <c>columns</c> normal columns of <c>rows</c> values per side (the current side shifted
/// by 0 to 0.05 standard deviations across the columns, as compare_ks.py does), compared exactly (KS on
/// every column: radix sort of a copy per column, columns on every core) and from profiles (each side
/// profiled once, then compared from the sketches). Reports each path's time, the memory each adds over
/// the data itself, and how far each sketch D is from the exact D against the error bound it states.
/// </summary>
internal static class DriftScaleMeasurement
{
    public static int Run(int rows, int columns)
    {
        var names = Enumerable.Range(0, columns).Select(c => $"c{c}").ToArray();
        var reference = new float[columns][];
        var current = new float[columns][];
        System.Threading.Tasks.Parallel.For(0, columns, c =>
        {
            var random = new Random(c + 1);
            var shift = 0.05f * c / Math.Max(1, columns - 1);
            reference[c] = Normal(random, rows, 0);
            current[c] = Normal(random, rows, shift);
        });
        var referenceView = new ArrayColumnsView(names, reference, rows);
        var currentView = new ArrayColumnsView(names, current, rows);
        var options = new DriftOptions { NumericEffectSizeFloor = 0 };
        foreach (var name in names)
        {
            options.ForColumn(name, DriftMethod.KolmogorovSmirnov);
        }

        var detector = new DriftDetector(options);
        var warm = new ArrayColumnsView(names, reference.Select(c => c[..Math.Min(rows, 200_000)]).ToArray(), Math.Min(rows, 200_000));
        detector.Compare(warm, warm);
        detector.CompareProfiles(DataProfile.Create(warm), DataProfile.Create(warm));

        var dataMiB = Settle();
        var clock = Stopwatch.StartNew();
        var exact = detector.Compare(referenceView, currentView);
        var exactSeconds = clock.Elapsed.TotalSeconds;
        var exactPeak = BenchmarkFlights.PeakMiB() - dataMiB;

        // Profiles are what a deployment stores; the working set's peak is already the exact path's, so
        // the profile path's own memory is read from the allocation it keeps (a few sketches).
        var kept = GC.GetTotalMemory(forceFullCollection: true);
        clock.Restart();
        var referenceProfile = DataProfile.Create(referenceView);
        var currentProfile = DataProfile.Create(currentView);
        var profileSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var sketched = detector.CompareProfiles(referenceProfile, currentProfile);
        var compareSeconds = clock.Elapsed.TotalSeconds;
        var profileBytes = GC.GetTotalMemory(forceFullCollection: true) - kept;

        double worstError = 0, worstShare = 0, bound = 0;
        var agree = 0;
        foreach (var column in exact.Columns)
        {
            var fromSketch = sketched.Columns.Single(c => c.Column == column.Column);
            bound = fromSketch.ErrorBound ?? 0;
            var error = Math.Abs(fromSketch.Statistic - column.Statistic);
            worstError = Math.Max(worstError, error);
            worstShare = Math.Max(worstShare, error / bound);
            agree += fromSketch.Drifted == column.Drifted ? 1 : 0;
        }

        Console.WriteLine(FormattableString.Invariant($"drift-scale: {columns} columns x {rows:N0} rows per side ({dataMiB:0} MiB of data), {Environment.ProcessorCount} cores"));
        Console.WriteLine(FormattableString.Invariant($"| exact KS on every column | {exactSeconds:0.000} s | +{exactPeak:0} MiB peak over the data |"));
        Console.WriteLine(FormattableString.Invariant($"| profile both sides (all statistics) | {profileSeconds:0.000} s | {profileBytes / 1024.0:0} KiB kept (both profiles) |"));
        Console.WriteLine(FormattableString.Invariant($"| compare the profiles (KS from sketches) | {compareSeconds:0.000} s | |"));
        Console.WriteLine(FormattableString.Invariant($"sketch D vs exact D: largest difference {worstError:0.00000}, stated bound {bound:0.00000} ({worstShare:P0} of it); drift decisions equal on {agree} of {columns} columns; drifted columns exact {exact.Columns.Count(c => c.Drifted)}, sketch {sketched.Columns.Count(c => c.Drifted)}"));
        return 0;
    }

    private static float[] Normal(Random random, int n, float shift)
    {
        var values = new float[n];
        for (var i = 0; i < n; i += 2)
        {
            var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            var angle = 2 * Math.PI * random.NextDouble();
            values[i] = (float)(radius * Math.Cos(angle)) + shift;
            if (i + 1 < n)
            {
                values[i + 1] = (float)(radius * Math.Sin(angle)) + shift;
            }
        }

        return values;
    }

    private static double Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / 1048576.0;
    }
}
