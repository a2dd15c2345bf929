namespace ModelRetraining;

/// <summary>
/// What one run of this process is doing now (or did last, for a while after it ended), as <see cref="RunMonitor"/>
/// sees it: the stage and its progress, the speed and the time left, and the resources sampled while it ran. A
/// snapshot: the monitor replaces it whole on every change.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelName">The model it retrains.</param>
/// <param name="Attempt">The attempt this process runs (2 or more for a resumed run).</param>
/// <param name="StartedAt">When this attempt started here.</param>
public sealed record LiveRun(string RunId, string ModelName, int Attempt, DateTimeOffset StartedAt)
{
    /// <summary>Gets the stage the run is in.</summary>
    public RetrainingStage Stage { get; init; } = RetrainingStage.Queued;

    /// <summary>Gets when the current stage began.</summary>
    public DateTimeOffset StageStartedAt { get; init; }

    /// <summary>Gets the completed share of the current stage in [0, 1]; <see langword="null"/> while the stage cannot tell.</summary>
    public double? Fraction { get; init; }

    /// <summary>Gets what the stage said last.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>Gets the rows the current stage has handled, when it counts rows.</summary>
    public long? Rows { get; init; }

    /// <summary>Gets the current stage's rows per second since it began, when it counts rows.</summary>
    public double? RowsPerSecond { get; init; }

    /// <summary>Gets the time the current stage still needs at its pace so far, when its fraction is known.</summary>
    public TimeSpan? Remaining { get; init; }

    /// <summary>Gets how the run ended; <see langword="null"/> while it runs (or when it ended without an outcome: its process stopped it).</summary>
    public RetrainingRunStatus? Outcome { get; init; }

    /// <summary>Gets when the run ended here; <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Gets a value indicating whether the run still runs in this process.</summary>
    public bool IsActive => EndedAt is null;

    /// <summary>Gets the resources sampled while the run was active, oldest first (at most <see cref="RunMonitorOptions.MaxSamples"/>: the latest).</summary>
    public IReadOnlyList<ResourceSample> Samples { get; init; } = [];

    /// <summary>Gets the run's latest log lines, oldest first (at most <see cref="RunMonitorOptions.MaxLogLines"/>).</summary>
    public IReadOnlyList<RunLogLine> LogLines { get; init; } = [];

    /// <summary>Gets a number that grows with every change of this run: a page that saw revision N has seen everything up to it.</summary>
    public long Revision { get; init; }
}
