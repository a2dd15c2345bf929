using System.Diagnostics;

namespace ModelRetraining;

/// <summary>Reads the process's CPU share since the previous sample, its working set and its managed heap: counters the runtime keeps, so a sample costs microseconds.</summary>
internal sealed class ProcessResourceSampler(TimeProvider time)
{
    private long _lastTimestamp;
    private TimeSpan _lastCpu;

    public void Reset()
    {
        _lastTimestamp = time.GetTimestamp();
        _lastCpu = Environment.CpuUsage.TotalTime;
    }

    public ResourceSample Sample()
    {
        var now = time.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        var wall = time.GetElapsedTime(_lastTimestamp, now);
        var percent = wall > TimeSpan.Zero ? Math.Clamp((cpu - _lastCpu) / wall / Environment.ProcessorCount * 100, 0, 100) : 0;
        _lastTimestamp = now;
        _lastCpu = cpu;
        return new ResourceSample(time.GetUtcNow(), percent, Environment.WorkingSet, GC.GetTotalMemory(forceFullCollection: false));
    }
}
