using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ModelRetraining;

/// <summary>
/// Names the holders of run claims and tells whether one is still running. A holder is
/// "{machine} pid {pid} started {ticks} pipeline {id}": in this process a holder runs while its attempt is
/// executing; another process on this machine runs while a process with that id and start time exists
/// (the embedded registry lives on one machine). A holder on another machine cannot be seen from here: its
/// claim's lease says whether it is alive (see <see cref="ResumePlanner"/>).
/// </summary>
internal static class RunHolders
{
    private static readonly ConcurrentDictionary<string, byte> Executing = new(StringComparer.Ordinal);
    private static readonly string ThisProcess = Describe(Environment.MachineName, Environment.ProcessId, StartTicks(Process.GetCurrentProcess()));

    public static string NewHolder() => $"{ThisProcess} pipeline {Guid.NewGuid().ToString("N")[..8]}";

    public static IDisposable Enter(string runId, string holder)
    {
        var key = runId + "|" + holder;
        Executing[key] = 0;
        return new Exit(key);
    }

    public static bool IsOnThisMachine(RunClaim claim)
        => claim.Holder.StartsWith(Environment.MachineName + " pid ", StringComparison.Ordinal);

    public static bool IsRunning(RunClaim claim)
    {
        if (claim.Holder.StartsWith(ThisProcess + " ", StringComparison.Ordinal))
        {
            return Executing.ContainsKey(claim.RunId + "|" + claim.Holder);
        }

        var parts = claim.Holder.Split(' ');
        if (parts.Length < 5 || parts[1] != "pid" || parts[3] != "started"
            || !string.Equals(parts[0], Environment.MachineName, StringComparison.Ordinal)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var started))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);

            // The same id with another start time is a new process that reused the id.
            return Math.Abs(StartTicks(process) - started) < TimeSpan.TicksPerSecond;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Describe(string machine, int pid, long startTicks)
        => $"{machine} pid {pid.ToString(CultureInfo.InvariantCulture)} started {startTicks.ToString(CultureInfo.InvariantCulture)}";

    private static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;

    private sealed class Exit(string key) : IDisposable
    {
        public void Dispose() => Executing.TryRemove(key, out _);
    }
}
