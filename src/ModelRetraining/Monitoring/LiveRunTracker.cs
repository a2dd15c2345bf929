namespace ModelRetraining;

/// <summary>
/// Follows one run for <see cref="RunMonitor"/>: turns its progress reports into a <see cref="LiveRun"/> (stage
/// fraction, rows per second, time left) and keeps the samples taken while it runs.
/// </summary>
internal sealed class LiveRunTracker(RunMonitor monitor, LiveRun start, TimeProvider time) : IProgress<RetrainingProgress>, IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, (double? Fraction, long? Rows)> _parts = new(StringComparer.Ordinal);
    private LiveRun _current = start;
    private ResourceSample[] _samples = [];
    private RunLogLine[] _lines = [];
    private long _lineSequence;

    public LiveRun Current => Volatile.Read(ref _current);

    public RunMonitor Monitor => monitor;

    public bool AddLine(Microsoft.Extensions.Logging.LogLevel level, string category, string message, int max)
    {
        lock (_lock)
        {
            if (_current.EndedAt is not null)
            {
                return false;
            }

            _lines = Appended(_lines, new RunLogLine(++_lineSequence, time.GetUtcNow(), level, category, message), max);
            Volatile.Write(ref _current, _current with { LogLines = _lines, Revision = monitor.Revision + 1 });
            return true;
        }
    }

    public void Report(RetrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var run = _current;
            if (run.EndedAt is not null)
            {
                return;
            }

            if (value.Stage != run.Stage)
            {
                _parts.Clear();
                run = run with { Stage = value.Stage, StageStartedAt = now, Fraction = null, Rows = null, RowsPerSecond = null, Remaining = null };
            }

            // A report without a source speaks for the whole stage (its start and end); one with a source for its
            // part, and the parts then make the whole.
            if (value.Source is null)
            {
                _parts.Clear();
            }
            else
            {
                _parts.Remove(string.Empty);
            }

            // What the reporter said before: the whole stage's figures for a report without a source.
            var previous = value.Source is null ? (run.Fraction, run.Rows) : _parts.GetValueOrDefault(value.Source);

            // A fraction that is not a number says nothing (and would break the page's JSON).
            var reported = value.Fraction is { } f && double.IsFinite(f) ? f : (double?)null;
            _parts[value.Source ?? string.Empty] = (reported ?? previous.Fraction, value.Rows ?? previous.Rows);
            var fractions = _parts.Values.Where(p => p.Fraction is not null).Select(p => Math.Clamp(p.Fraction!.Value, 0, 1)).ToList();
            double? fraction = fractions.Count > 0 ? fractions.Average() : null;
            long? rows = _parts.Values.Any(p => p.Rows is not null) ? _parts.Values.Sum(p => p.Rows ?? 0) : null;
            var elapsed = now - run.StageStartedAt;
            Volatile.Write(ref _current, run with
            {
                Fraction = fraction,
                Message = value.Message,
                Rows = rows ?? run.Rows,
                RowsPerSecond = rows is { } counted && elapsed > TimeSpan.FromMilliseconds(100) ? counted / elapsed.TotalSeconds : run.RowsPerSecond,
                Remaining = fraction is > 0.01 and < 1 ? elapsed * ((1 - fraction.Value) / fraction.Value) : fraction is >= 1 ? TimeSpan.Zero : null,
                Revision = monitor.Revision + 1,
            });
        }

        monitor.Changed();
    }

    public void Add(ResourceSample sample, int max)
    {
        lock (_lock)
        {
            if (_current.EndedAt is not null)
            {
                return;
            }

            _samples = Appended(_samples, sample with { Stage = _current.Stage }, max);
            Volatile.Write(ref _current, _current with { Samples = _samples, Revision = monitor.Revision + 1 });
        }
    }

    // Copy on write, keeping the latest `max`: a snapshot handed out keeps its items while new ones arrive.
    private static T[] Appended<T>(T[] items, T item, int max)
    {
        var keep = Math.Min(items.Length, max - 1);
        var next = new T[keep + 1];
        Array.Copy(items, items.Length - keep, next, 0, keep);
        next[keep] = item;
        return next;
    }

    /// <summary>Ends the run with its outcome: a succeeded run's last stage shows done.</summary>
    public void End(RetrainingRunStatus outcome)
    {
        lock (_lock)
        {
            if (_current.EndedAt is not null)
            {
                return;
            }

            var done = outcome == RetrainingRunStatus.Succeeded;
            Volatile.Write(ref _current, _current with
            {
                Outcome = outcome,
                EndedAt = time.GetUtcNow(),
                Fraction = done ? 1 : _current.Fraction,
                Remaining = done ? TimeSpan.Zero : null,
                Revision = monitor.Revision + 1,
            });
        }

        monitor.Ended(this);
    }

    // A run whose pipeline stopped without an outcome (its host shutting down) ends here without one.
    public void Dispose()
    {
        lock (_lock)
        {
            if (_current.EndedAt is not null)
            {
                return;
            }

            Volatile.Write(ref _current, _current with { EndedAt = time.GetUtcNow(), Revision = monitor.Revision + 1 });
        }

        monitor.Ended(this);
    }
}
