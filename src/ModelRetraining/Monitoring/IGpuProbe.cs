namespace ModelRetraining;

/// <summary>Reads the GPU's utilisation and memory for <see cref="RunMonitor"/>'s samples; <see cref="NvidiaSmiGpuProbe"/> is the one that ships, a fake serves tests.</summary>
public interface IGpuProbe
{
    /// <summary>Reads the GPU now. Called from the sampling timer, once per sample; it should return within a second.</summary>
    /// <returns>The reading; <see langword="null"/> where there is no GPU to read (the charts then show none, not zero).</returns>
    GpuReading? Read();
}
