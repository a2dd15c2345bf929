namespace ModelRetraining;

/// <summary>
/// The process's resources at one moment while a run was active, as <see cref="RunMonitor"/> samples them. They are
/// the whole process's: two runs active in one process see the same figures.
/// </summary>
/// <param name="At">When the sample was taken.</param>
/// <param name="CpuPercent">The process's CPU use since the previous sample, as a share of all the machine's cores (0 to 100).</param>
/// <param name="WorkingSetBytes">The process's working set.</param>
/// <param name="GcHeapBytes">The bytes the managed heap holds (<see cref="GC.GetTotalMemory(bool)"/> without a collection).</param>
public sealed record ResourceSample(DateTimeOffset At, double CpuPercent, long WorkingSetBytes, long GcHeapBytes)
{
    /// <summary>Gets the stage the run was in when the sample was taken.</summary>
    public RetrainingStage Stage { get; init; }

    /// <summary>Gets the GPU's figures; <see langword="null"/> where the machine has no GPU the probe can read (absent, not zero).</summary>
    public GpuReading? Gpu { get; init; }
}
