namespace ModelRetraining;

/// <summary>Options of the drift check that compares new data with the champion's stored training-data profile.</summary>
public sealed class DriftDetectionOptions
{
    /// <summary>Gets the statistical settings (methods, thresholds, false-discovery control, per-column overrides).</summary>
    public DriftOptions Drift { get; } = new();

    /// <summary>Gets or sets how data-set drift is treated. Drift is the reason to retrain, so by default it is reported and alerted, not blocking.</summary>
    /// <value>The default value is <see cref="ValidationSeverity.Warning"/>.</value>
    public ValidationSeverity DatasetDriftSeverity { get; set; } = ValidationSeverity.Warning;

    /// <summary>Gets or sets a value indicating whether the schema's time column is left out (time always "drifts" between periods).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IgnoreTimeColumn { get; set; } = true;

    /// <summary>Gets or sets a folder where a JSON and an HTML report are written per run and data set (<c>{folder}/{runId}/drift-….json|html</c>); <see langword="null"/> writes none.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ReportFolder { get; set; }

    /// <summary>Gets or sets a callback invoked whenever a column or the data set drifts.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<DriftAlert>? OnDrift { get; set; }

    internal IReadOnlyList<string> Validate()
    {
        var errors = Drift.Validate().Select(e => $"Drift.{e}").ToList();
        if (!Enum.IsDefined(DatasetDriftSeverity))
        {
            errors.Add($"{nameof(DatasetDriftSeverity)}: {(int)DatasetDriftSeverity} is not a severity.");
        }

        if (ReportFolder is { Length: 0 })
        {
            errors.Add($"{nameof(ReportFolder)} is empty; leave it null to write no report.");
        }

        return errors;
    }
}
