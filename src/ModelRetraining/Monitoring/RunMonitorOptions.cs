using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>How <see cref="RunMonitor"/> samples and what it keeps.</summary>
public sealed class RunMonitorOptions
{
    /// <summary>Gets or sets how often resources are sampled while a run is active.</summary>
    /// <value>The default value is 1 second (as W&amp;B and ClearML sample system metrics: often enough to see a spike, cheap enough to leave on).</value>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many samples a run keeps (the latest); older ones are dropped.</summary>
    /// <value>The default value is 3,600 (an hour at one a second, about 200 KB a run).</value>
    public int MaxSamples { get; set; } = 3_600;

    /// <summary>Gets or sets how many ended runs stay visible after they end, the latest first, so a page sees a run finish.</summary>
    /// <value>The default value is 20.</value>
    public int KeepEnded { get; set; } = 20;

    /// <summary>Gets or sets how many of a run's latest log lines are kept for its page.</summary>
    /// <value>The default value is 200.</value>
    public int MaxLogLines { get; set; } = 200;

    /// <summary>Gets or sets the lowest level of the log lines kept (whatever the host's own logging keeps).</summary>
    /// <value>The default value is <see cref="LogLevel.Debug"/> (each stage's completion and time are Debug lines).</value>
    public LogLevel MinLogLevel { get; set; } = LogLevel.Debug;

    internal RunMonitorOptions Clone() => (RunMonitorOptions)MemberwiseClone();

    /// <summary>Checks every setting and reports every problem at once.</summary>
    /// <returns>One sentence per problem naming the setting; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SampleInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{nameof(SampleInterval)} must be at least 100 ms; it is {SampleInterval}.");
        }

        if (MaxSamples < 1)
        {
            errors.Add($"{nameof(MaxSamples)} must be 1 or more; it is {MaxSamples}.");
        }

        if (MaxLogLines < 0)
        {
            errors.Add($"{nameof(MaxLogLines)} must be 0 or more; it is {MaxLogLines}.");
        }

        if (KeepEnded < 0)
        {
            errors.Add($"{nameof(KeepEnded)} must be 0 or more; it is {KeepEnded}.");
        }

        return errors;
    }
}
