namespace ModelRetraining;

/// <summary>What a pipeline's validators found in one batch (<see cref="RetrainingPipeline.ValidateBatchAsync"/>).</summary>
/// <param name="Reports">Every validator's report, and what the source reported.</param>
/// <param name="Data">The data without the rows the validators quarantined.</param>
/// <param name="Quarantined">How many rows were quarantined.</param>
public sealed record BatchValidation(IReadOnlyList<DataValidationReport> Reports, DatasetSnapshot Data, long Quarantined)
{
    /// <summary>Gets the Error-level issues: any of them refuses the batch.</summary>
    public IReadOnlyList<DataValidationIssue> Errors => [.. Reports.SelectMany(r => r.Issues).Where(i => i.Severity == ValidationSeverity.Error)];

    /// <summary>Gets the warnings (drifted columns among them).</summary>
    public IReadOnlyList<DataValidationIssue> Warnings => [.. Reports.SelectMany(r => r.Issues).Where(i => i.Severity == ValidationSeverity.Warning)];
}
