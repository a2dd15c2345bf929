using System.Collections.Concurrent;

namespace ModelRetraining;

/// <summary>
/// What every stage of one run may know about the run: the model, the run id, who started it, the
/// clock, the current champion, and a progress sink. One context per run; stages must not keep it.
/// </summary>
public sealed class RetrainingContext
{
    /// <summary>Creates a context for one run.</summary>
    /// <param name="modelName">The registered model the run retrains.</param>
    /// <param name="runId">A unique id for the run.</param>
    /// <param name="timeProvider">The clock of the run.</param>
    public RetrainingContext(string modelName, string runId, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ModelName = modelName;
        RunId = runId;
        TimeProvider = timeProvider;
    }

    /// <summary>Gets the registered model the run retrains.</summary>
    public string ModelName { get; }

    /// <summary>Gets the unique id of the run.</summary>
    public string RunId { get; }

    /// <summary>Gets the clock of the run. Stages read time only from here.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets or initializes the identity that started the run.</summary>
    /// <value>The default value is <c>"system"</c>.</value>
    public string Actor { get; init; } = "system";

    /// <summary>Gets or initializes the champion version when the run started, or <see langword="null"/> on a first run.</summary>
    public ModelVersion? Champion { get; init; }

    /// <summary>Gets or initializes the registry the run writes to, so stages can read the champion's attachments (its training-data profile, say).</summary>
    public IModelRegistry? Registry { get; init; }

    /// <summary>Gets or initializes the sink for progress reports, if any.</summary>
    public IProgress<RetrainingProgress>? Progress { get; init; }

    /// <summary>Gets a bag where stages may leave values for later stages of the same run.</summary>
    public ConcurrentDictionary<string, object?> Properties { get; } = new(StringComparer.Ordinal);

    /// <summary>Reports progress when a sink is present.</summary>
    /// <param name="stage">The reporting stage.</param>
    /// <param name="fraction">The completed share, if known.</param>
    /// <param name="message">What happens now.</param>
    public void ReportProgress(RetrainingStage stage, double? fraction, string message)
        => Progress?.Report(new RetrainingProgress(stage, fraction, message));
}
