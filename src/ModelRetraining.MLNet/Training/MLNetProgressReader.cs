using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.ML;

namespace ModelRetraining.MLNet;

/// <summary>
/// Turns ML.NET's own training progress into the run's progress while <c>Fit</c> runs. ML.NET's trainers report
/// iterations (LightGBM) and trees (FastTree) to a progress tracker its MLContext keeps but does not expose, and
/// its public Log event carries no per-iteration line (checked on LightGBM and FastTree); so the tracker is read
/// by reflection every half second on a thread of its own, as ML.NET's own console host reads it. When a later ML.NET moves those
/// internals the reader finds nothing and the run reports the coarse steps it reported before (start, fitted).
/// </summary>
internal sealed class MLNetProgressReader : IDisposable
{
    private const double From = 0.05;
    private const double To = 0.9;

    private readonly object _tracker;
    private readonly MethodInfo _getAllProgress;
    private readonly RetrainingContext _context;
    private readonly Thread _reader;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Dictionary<string, double> _limits = new(StringComparer.Ordinal);
    private int _reading;
    private bool _broken;

    private MLNetProgressReader(object tracker, MethodInfo getAllProgress, RetrainingContext context, TimeSpan interval)
    {
        _tracker = tracker;
        _getAllProgress = getAllProgress;
        _context = context;
        // Its own thread, not the thread pool's timer: a busy pool (training, other runs, parallel tests) would
        // delay the reads until the fit is over, and the run would report nothing while it trains.
        _reader = new Thread(() =>
        {
            while (!_stop.Wait(interval))
            {
                Read();
            }
        })
        {
            IsBackground = true,
            Name = "ML.NET progress",
        };
        _reader.Start();
    }

    /// <summary>Starts reading <paramref name="ml"/>'s progress into <paramref name="context"/>; <see langword="null"/> when nobody listens or ML.NET's internals are not there.</summary>
    public static MLNetProgressReader? Start(MLContext ml, RetrainingContext context, TimeSpan interval)
    {
        if (context.Progress is null)
        {
            return null;
        }

        try
        {
            var environment = typeof(MLContext).GetField("_env", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(ml);
            for (var type = environment?.GetType(); type is not null; type = type.BaseType)
            {
                if (type.GetField("ProgressTracker", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)?.GetValue(environment) is { } tracker
                    && tracker.GetType().GetMethod("GetAllProgress", Type.EmptyTypes) is { } getAllProgress)
                {
                    return new MLNetProgressReader(tracker, getAllProgress, context, interval);
                }
            }
        }
        catch (Exception ex) when (ex is TargetException or FieldAccessException or ArgumentException)
        {
            // Another ML.NET: coarse progress only.
        }

        return null;
    }

    /// <summary>Stops reading, after reading what is left.</summary>
    public void Dispose()
    {
        _stop.Set();
        _reader.Join();
        _stop.Dispose();
        Read();
    }

    private void Read()
    {
        if (_broken || Interlocked.Exchange(ref _reading, 1) == 1)
        {
            return;
        }

        try
        {
            if (_getAllProgress.Invoke(_tracker, null) is IEnumerable events)
            {
                foreach (var item in events)
                {
                    if (Describe(item) is { } progress)
                    {
                        _context.Progress?.Report(progress);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Internals that do not look as expected, or a caller's progress sink that throws: stop reading, the run
            // goes on (a timer callback that throws would end the process).
            _broken = true;
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    // One event of ML.NET's tracker: a phase started or stopped ("Training with LightGBM"), or where it is
    // (iteration 150 of 300; a LightGBM checkpoint names only the iteration, its limit came with a pulled event).
    private RetrainingProgress? Describe(object item)
    {
        var name = Field(item, "Name") as string ?? "training";
        var kind = Field(item, "Kind")?.ToString();
        if (kind == "Start")
        {
            return new RetrainingProgress(RetrainingStage.Training, null, $"ML.NET: {name}");
        }

        if (kind != "Progress" || Field(item, "ProgressEntry") is not { } entry)
        {
            return null;
        }

        var header = Field(entry, "Header");
        var unit = (Field(header, "UnitNames") as string[])?.FirstOrDefault() ?? (Field(header, "MetricNames") as string[])?.FirstOrDefault()?.ToLowerInvariant();
        var done = First(Field(entry, "Progress") as double?[]);
        var limit = First(Field(entry, "ProgressLim") as double?[]);
        if (done is null && (Field(header, "MetricNames") as string[])?.FirstOrDefault() == "Iteration")
        {
            done = First(Field(entry, "Metrics") as double?[]);
        }

        if (done is null)
        {
            return null;
        }

        if (limit is > 0)
        {
            _limits[name] = limit.Value;
        }
        else if (_limits.TryGetValue(name, out var known))
        {
            limit = known;
        }

        var text = limit is > 0
            ? string.Create(CultureInfo.InvariantCulture, $"ML.NET: {name}, {done:N0} of {limit:N0} {unit}")
            : string.Create(CultureInfo.InvariantCulture, $"ML.NET: {name}, {done:N0} {unit}");
        double? fraction = limit is > 0 ? From + ((To - From) * Math.Clamp(done.Value / limit.Value, 0, 1)) : null;
        return new RetrainingProgress(RetrainingStage.Training, fraction, text);
    }

    private static double? First(double?[]? values) => values is { Length: > 0 } ? values[0] : null;

    private static object? Field(object? owner, string name)
        => owner?.GetType().GetField(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(owner)
           ?? owner?.GetType().GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(owner);
}
