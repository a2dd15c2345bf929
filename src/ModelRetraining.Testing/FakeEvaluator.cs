namespace ModelRetraining.Testing;

/// <summary>An evaluator that reports the metrics a test sets, for the candidate and (when there is one) the champion.</summary>
public sealed class FakeEvaluator : IEvaluator
{
    /// <inheritdoc />
    public string Name => "fake";

    /// <summary>Gets or sets the candidate's metrics.</summary>
    public IReadOnlyDictionary<string, MetricValue> CandidateMetrics { get; set; } = new Dictionary<string, MetricValue>();

    /// <summary>Gets or sets the champion's metrics.</summary>
    public IReadOnlyDictionary<string, MetricValue> ChampionMetrics { get; set; } = new Dictionary<string, MetricValue>();

    /// <summary>Gets or sets the candidate's per-row outputs, if the test needs them (significance, slices).</summary>
    public PerRowOutputs? CandidateOutputs { get; set; }

    /// <summary>Gets or sets the champion's per-row outputs.</summary>
    public PerRowOutputs? ChampionOutputs { get; set; }

    /// <summary>Gets the last input evaluated.</summary>
    public EvaluationInput? LastInput { get; private set; }

    /// <summary>Builds a metric dictionary: <c>Metrics(("AUC", 0.8, MetricDirection.HigherIsBetter))</c>.</summary>
    /// <param name="metrics">The metrics.</param>
    /// <returns>The dictionary.</returns>
    public static IReadOnlyDictionary<string, MetricValue> Metrics(params (string Name, double Value, MetricDirection Direction)[] metrics)
        => metrics.ToDictionary(m => m.Name, m => new MetricValue(m.Name, m.Value, m.Direction), StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        LastInput = input;
        var champion = input.Champion is { } c ? new ModelEvaluation($"champion v{c.Version.Version}", ChampionMetrics) { Outputs = ChampionOutputs } : null;
        return ValueTask.FromResult(new EvaluationReport(new ModelEvaluation("candidate", CandidateMetrics) { Outputs = CandidateOutputs }, champion, input.Holdout.Fingerprint, input.Holdout.RowCount));
    }
}
