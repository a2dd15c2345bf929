namespace ModelRetraining;

/// <summary>Per-run settings: who starts it, why, and where progress goes.</summary>
public sealed class RetrainingRunOptions
{
    /// <summary>Gets or sets the identity that starts the run; recorded on versions, alias moves and audit events.</summary>
    /// <value>The default value is the pipeline's <see cref="RetrainingPipelineBuilder.Actor"/>.</value>
    public string? Actor { get; set; }

    /// <summary>Gets or sets why the run starts (a trigger, an operator's note); recorded with the promotion.</summary>
    /// <value>The default value is <c>manual run</c>.</value>
    public string Reason { get; set; } = "manual run";

    /// <summary>Gets or sets the run id; a new time-ordered id when <see langword="null"/>.</summary>
    public string? RunId { get; set; }

    /// <summary>Gets or sets the triggers that caused the run; they are written to the run journal and kept in the result.</summary>
    public IReadOnlyList<RetrainingTrigger> Causes { get; set; } = [];

    /// <summary>Gets or sets a sink for progress reports.</summary>
    public IProgress<RetrainingProgress>? Progress { get; set; }
}
