namespace ModelRetraining;

/// <summary>How triggers become runs for one model.</summary>
public sealed class RetrainingCoordinatorOptions
{
    /// <summary>Gets or sets the least time between the starts of two runs; triggers inside it wait for it to end and then start one run together.</summary>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets how long triggers must stop arriving before a run starts (zero starts at once).</summary>
    /// <value>The default value is zero.</value>
    public TimeSpan Debounce { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets the identity runs act as.</summary>
    /// <value>The default value is <c>scheduler</c>.</value>
    public string Actor { get; set; } = "scheduler";

    /// <summary>Gets or sets a value indicating whether a host resumes the pipeline's unfinished runs (their process died) when it starts, before any trigger starts a new run.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ResumeUnfinishedRunsOnStart { get; set; } = true;

    /// <summary>
    /// Gets or sets how often a running host looks again for unfinished runs whose holder is gone — a node of a
    /// cluster that died mid-run, its claim older than the run lease — and resumes them while the coordinator is
    /// idle. <see langword="null"/> resumes only at start.
    /// </summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan? ResumeSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks every setting and reports every problem at once; hosts and adapters call it before they use the options.</summary>
    /// <returns>One sentence per problem naming the setting; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Cooldown <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(Cooldown)} must be positive; it is {Cooldown}.");
        }

        if (Debounce < TimeSpan.Zero)
        {
            errors.Add($"{nameof(Debounce)} must be zero or positive; it is {Debounce}.");
        }

        if (ResumeSweepInterval is { } sweep && sweep < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{nameof(ResumeSweepInterval)} must be at least 100 ms when it is set; it is {sweep}.");
        }

        if (string.IsNullOrWhiteSpace(Actor))
        {
            errors.Add($"{nameof(Actor)} is empty.");
        }

        return errors;
    }
}
