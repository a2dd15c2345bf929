using System.Runtime.ExceptionServices;

namespace ModelRetraining;

/// <summary>How a run ended, with all the evidence it gathered.</summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelName">The model.</param>
/// <param name="Status">The end state.</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="CompletedAt">When it ended.</param>
public sealed record RetrainingRunResult(string RunId, string ModelName, RetrainingRunStatus Status, DateTimeOffset StartedAt, DateTimeOffset CompletedAt)
{
    /// <summary>Gets the stage the run ended in (the failing stage for <see cref="RetrainingRunStatus.Failed"/>).</summary>
    public RetrainingStage? Stage { get; init; }

    /// <summary>Gets the triggers that caused the run.</summary>
    public IReadOnlyList<RetrainingTrigger> Causes { get; init; } = [];

    /// <summary>Gets the infra validation reports (the candidate loaded and run as serving will run it), when the run got that far.</summary>
    public IReadOnlyList<InfraValidationReport> InfraValidation { get; init; } = [];

    /// <summary>Gets the last stage an earlier, interrupted attempt of this run completed, when the run was resumed; <see langword="null"/> for a run that ran in one go.</summary>
    public RetrainingStage? ResumedAfter { get; init; }

    /// <summary>Gets the reasons, for a rejection or a failure.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>Gets the exception of a failed or cancelled run.</summary>
    public Exception? Exception { get; init; }

    /// <summary>Gets the data validation reports.</summary>
    public IReadOnlyList<DataValidationReport> Validation { get; init; } = [];

    /// <summary>Gets the evaluation, when the run got that far.</summary>
    public EvaluationReport? Evaluation { get; init; }

    /// <summary>Gets the combined promotion decision, when the run got that far.</summary>
    public PromotionDecision? Decision { get; init; }

    /// <summary>Gets the champion when the run started.</summary>
    public ModelVersion? PreviousChampion { get; init; }

    /// <summary>Gets the version the run registered, if any.</summary>
    public ModelVersion? RegisteredVersion { get; init; }

    /// <summary>Gets a value indicating whether the registered version became champion.</summary>
    public bool Promoted => Status == RetrainingRunStatus.Succeeded;

    /// <summary>
    /// A summary a person reads: the outcome, the version registered and the champion before, both models'
    /// metrics side by side on the one holdout they were evaluated on, the gate's decision table, and the
    /// reasons a run that did not succeed gives.
    /// </summary>
    /// <returns>The summary, several lines.</returns>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"Run {RunId} of '{ModelName}': {Status}");
        if (Stage is { } stage && Status != RetrainingRunStatus.Succeeded)
        {
            text.Append(" at ").Append(stage);
        }

        text.Append(System.Globalization.CultureInfo.InvariantCulture, $" in {(CompletedAt - StartedAt).TotalSeconds:0.0} s");
        if (RegisteredVersion is { } registered)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"; registered v{registered.Version}");
        }

        text.Append(PreviousChampion is { } previous ? $"; champion before: v{previous.Version}" : "; no champion before");
        if (Evaluation is { } evaluation)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\nEvaluated on the same holdout ({evaluation.HoldoutRows} rows, {evaluation.Holdout}):");
            foreach (var (name, metric) in evaluation.Candidate.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                var champion = evaluation.Champion?.Metrics.GetValueOrDefault(name);
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n  {name,-12} {Number(metric.Value),10}  {(champion is null ? string.Empty : $"champion {Number(champion.Value)}")}  ({(metric.Direction == MetricDirection.HigherIsBetter ? "higher" : "lower")} is better)");
            }
        }

        if (Decision is { } decision)
        {
            text.Append("\nGate: ").Append(decision);
        }

        if (Status != RetrainingRunStatus.Succeeded)
        {
            foreach (var reason in Reasons)
            {
                text.Append("\n  - ").Append(reason);
            }
        }

        return text.ToString();

        static string Number(double value) => double.IsNaN(value) ? "NaN" : value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Throws when the run failed (the original exception) or was cancelled (<see cref="OperationCanceledException"/>).</summary>
    /// <returns>This result, for chaining.</returns>
    public RetrainingRunResult ThrowIfFailed()
    {
        switch (Status)
        {
            case RetrainingRunStatus.Failed when Exception is not null:
                ExceptionDispatchInfo.Capture(Exception).Throw();
                break;
            case RetrainingRunStatus.Failed:
                throw new RetrainingStageException(Stage ?? RetrainingStage.Queued, string.Join(" ", Reasons), null);
            case RetrainingRunStatus.Cancelled:
                throw Exception as OperationCanceledException ?? new OperationCanceledException($"Run {RunId} of '{ModelName}' was cancelled.");
        }

        return this;
    }
}
