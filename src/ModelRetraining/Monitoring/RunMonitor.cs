using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>
/// What the runs of this process are doing now: each run's stage, progress, speed and time left, and its
/// resources (process CPU, working set, managed heap, GPU where one exists) sampled once a second while any run
/// is active. Pipelines report to it when they have one (<c>services.AddModelRetraining()</c> registers one;
/// <see cref="RetrainingPipelineBuilder.UseRunMonitor"/> sets it by hand); the dashboard reads it.
/// It is in-process and holds no history: runs on other nodes are seen through the journal only.
/// </summary>
public sealed class RunMonitor : IDisposable
{
    private static readonly AsyncLocal<LiveRunTracker?> Executing = new();

    private readonly object _lock = new();
    private readonly Dictionary<string, LiveRunTracker> _active = new(StringComparer.Ordinal);
    private readonly LinkedList<LiveRun> _ended = new();
    private readonly TimeProvider _time;
    private readonly IGpuProbe? _gpu;
    private readonly ProcessResourceSampler _sampler;
    private ITimer? _timer;
    private long _revision;
    private int _sampling;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="RunMonitor"/> class.</summary>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="gpu">The GPU probe; none (no GPU figures) when <see langword="null"/>. <see cref="NvidiaSmiGpuProbe"/> reads NVIDIA devices.</param>
    /// <param name="options">How to sample and what to keep; the defaults when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; every problem is listed.</exception>
    public RunMonitor(TimeProvider? time = null, IGpuProbe? gpu = null, RunMonitorOptions? options = null)
    {
        Options = options?.Clone() ?? new RunMonitorOptions(); // validated once: later changes to the caller's object do not reach it
        var errors = Options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(RunMonitorOptions), typeof(RunMonitorOptions), errors);
        }

        _time = time ?? TimeProvider.System;
        _gpu = gpu;
        _sampler = new ProcessResourceSampler(_time);
    }

    /// <summary>Gets how the monitor samples and what it keeps.</summary>
    public RunMonitorOptions Options { get; }

    /// <summary>Gets a number that grows with every change of any run: the live stream's cheap "anything new?".</summary>
    public long Revision => Interlocked.Read(ref _revision);

    /// <summary>Gets the active runs, then the recently ended ones (latest first).</summary>
    public IReadOnlyList<LiveRun> Runs
    {
        get
        {
            lock (_lock)
            {
                return [.. _active.Values.Select(t => t.Current).OrderBy(r => r.StartedAt), .. _ended];
            }
        }
    }

    /// <summary>Finds a run of this process, active or recently ended.</summary>
    /// <param name="runId">The run.</param>
    /// <returns>Its latest snapshot; <see langword="null"/> when this process does not run it (another node may).</returns>
    public LiveRun? Find(string runId)
    {
        lock (_lock)
        {
            return _active.TryGetValue(runId, out var tracker) ? tracker.Current : _ended.FirstOrDefault(r => r.RunId == runId);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Starts following a run: its reports go to the returned tracker, and sampling runs while any run is followed.</summary>
    internal LiveRunTracker Track(string runId, string modelName, int attempt)
    {
        var tracker = new LiveRunTracker(this, new LiveRun(runId, modelName, attempt, _time.GetUtcNow()) { StageStartedAt = _time.GetUtcNow() }, _time);
        lock (_lock)
        {
            for (var node = _ended.First; node is not null; node = node.Next)
            {
                if (node.Value.RunId == runId)
                {
                    _ended.Remove(node); // an earlier attempt of the same run
                    break;
                }
            }

            _active[runId] = tracker;
            if (_timer is null && !_disposed)
            {
                _sampler.Reset();
                _timer = _time.CreateTimer(_ => Sample(), null, TimeSpan.Zero, Options.SampleInterval);
            }
        }

        Changed();
        return tracker;
    }

    internal TimeProvider Time => _time;

    /// <summary>Marks the run executing in this async flow (and the work it starts), so log lines without a run id reach it; dispose to unmark.</summary>
    internal static IDisposable Executes(LiveRunTracker tracker)
    {
        var before = Executing.Value;
        Executing.Value = tracker;
        return new Unmark(before);
    }

    /// <summary>Keeps a log line for the run it names, or the run executing where it was written.</summary>
    internal void Write(string? runId, Microsoft.Extensions.Logging.LogLevel level, string category, string message)
    {
        LiveRunTracker? tracker;
        if (runId is null)
        {
            tracker = Executing.Value is { } executing && ReferenceEquals(executing.Monitor, this) ? executing : null;
        }
        else
        {
            lock (_lock)
            {
                tracker = _active.GetValueOrDefault(runId);
            }
        }

        if (tracker is not null && Options.MaxLogLines > 0 && tracker.AddLine(level, category, message, Options.MaxLogLines))
        {
            Changed();
        }
    }

    internal void Changed() => Interlocked.Increment(ref _revision);

    internal void Ended(LiveRunTracker tracker)
    {
        lock (_lock)
        {
            if (_active.TryGetValue(tracker.Current.RunId, out var current) && ReferenceEquals(current, tracker))
            {
                _active.Remove(tracker.Current.RunId);
                _ended.AddFirst(tracker.Current);
                while (_ended.Count > Options.KeepEnded)
                {
                    _ended.RemoveLast();
                }
            }

            if (_active.Count == 0)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }

        Changed();
    }

    // A host's own probe may throw: that sample has no GPU, the next one asks again.
    private GpuReading? ReadGpu()
    {
        try
        {
            return _gpu?.Read();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private sealed class Unmark(LiveRunTracker? before) : IDisposable
    {
        public void Dispose() => Executing.Value = before;
    }

    // One sample for every active run. A slow probe (nvidia-smi) never piles samples up: a tick that finds the
    // previous one still at work is skipped.
    private void Sample()
    {
        if (Interlocked.Exchange(ref _sampling, 1) == 1)
        {
            return;
        }

        try
        {
            LiveRunTracker[] trackers;
            lock (_lock)
            {
                trackers = [.. _active.Values];
            }

            if (trackers.Length == 0)
            {
                return;
            }

            var gpu = ReadGpu();
            var sample = _sampler.Sample() with { Gpu = gpu };
            foreach (var tracker in trackers)
            {
                tracker.Add(sample, Options.MaxSamples);
            }

            Changed();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A timer callback that throws ends the process: a sample is worth less than the runs it watches.
        }
        finally
        {
            Volatile.Write(ref _sampling, 0);
        }
    }
}
