namespace ModelRetraining;

/// <summary>What a GPU probe read: the device's utilisation and memory (summed over the devices the probe sees; utilisation is their mean).</summary>
/// <param name="UtilizationPercent">The share of time the GPU was busy over the driver's last sample period (0 to 100).</param>
/// <param name="MemoryUsedBytes">The device memory in use.</param>
/// <param name="MemoryTotalBytes">The device memory in all.</param>
public sealed record GpuReading(double UtilizationPercent, long MemoryUsedBytes, long MemoryTotalBytes);
