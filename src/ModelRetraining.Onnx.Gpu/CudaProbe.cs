using Microsoft.ML.OnnxRuntime;

namespace ModelRetraining.Onnx;

/// <summary>
/// Says whether ONNX Runtime can run on a CUDA device here, before a model depends on it: a host checks at
/// start and logs the reason, instead of learning it from the first fallback warning.
/// </summary>
public static class CudaProbe
{
    /// <summary>Tries to set up the CUDA execution provider on a device.</summary>
    /// <param name="deviceId">The CUDA device.</param>
    /// <param name="reason">Why CUDA cannot be used (the missing CUDA library, no device, a CPU-only native runtime); <see langword="null"/> when it can.</param>
    /// <returns><see langword="true"/> when models can run on the device.</returns>
    public static bool IsUsable(int deviceId, out string? reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        try
        {
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(deviceId);
            reason = null;
            return true;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or TypeInitializationException)
        {
            reason = $"CUDA device {deviceId} cannot be used: {ex.Message.Trim()}";
            return false;
        }
    }
}
