using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace ModelRetraining;

/// <summary>
/// Reads NVIDIA GPUs through <c>nvidia-smi</c> (shipped with the driver), one short process per reading. A machine
/// without the tool has no GPU for the rest of the process's life (the probe stops asking); a tool that fails or
/// is slow (no driver now, a loaded machine) is asked again a minute later, the samples in between having none.
/// </summary>
public sealed class NvidiaSmiGpuProbe : IGpuProbe
{
    private const string Query = "--query-gpu=utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits";

    private readonly string _executable;
    private readonly TimeSpan _timeout;
    private volatile bool _absent;
    private long _quietUntil; // Environment.TickCount64 before which a tool that failed is not asked again

    /// <summary>Initializes a new instance of the <see cref="NvidiaSmiGpuProbe"/> class.</summary>
    /// <param name="executable">The tool to run; <c>nvidia-smi</c> on the PATH by default.</param>
    /// <param name="timeout">How long one reading may take before the GPU counts as absent; 2 seconds by default.</param>
    public NvidiaSmiGpuProbe(string executable = "nvidia-smi", TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executable);
        _executable = executable;
        _timeout = timeout ?? TimeSpan.FromSeconds(2);
    }

    /// <inheritdoc/>
    public GpuReading? Read()
    {
        if (_absent || Environment.TickCount64 < Interlocked.Read(ref _quietUntil))
        {
            return null;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(_executable, Query)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
            });
            if (process is null)
            {
                _absent = true;
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync(); // drained, so a chatty failure never blocks the tool
            if (!process.WaitForExit(_timeout))
            {
                process.Kill(entireProcessTree: true);
                return BackOff(); // slow under load (or without persistence mode): asked again later
            }

            var reading = process.ExitCode == 0 ? Parse(output.GetAwaiter().GetResult()) : null;
            return reading ?? BackOff(); // no driver or no device now: asked again later, not every second
        }
        catch (Exception ex) when (ex is Win32Exception or FileNotFoundException)
        {
            _absent = true; // no such tool here: no GPU, for good
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            return BackOff();
        }
    }

    private GpuReading? BackOff()
    {
        Interlocked.Exchange(ref _quietUntil, Environment.TickCount64 + (long)TimeSpan.FromMinutes(1).TotalMilliseconds);
        return null;
    }

    /// <summary>Reads <c>nvidia-smi</c>'s CSV answer: one line per device, utilisation in percent and memory in MiB.</summary>
    /// <param name="output">The tool's output.</param>
    /// <returns>The devices' mean utilisation and summed memory; <see langword="null"/> when no line parses.</returns>
    internal static GpuReading? Parse(string output)
    {
        double utilization = 0;
        long used = 0, total = 0;
        var devices = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length != 3
                || !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent)
                || !long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var usedMiB)
                || !long.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var totalMiB))
            {
                continue; // "[N/A]" on devices that do not report a figure
            }

            utilization += percent;
            used += usedMiB << 20;
            total += totalMiB << 20;
            devices++;
        }

        return devices == 0 ? null : new GpuReading(utilization / devices, used, total);
    }
}
