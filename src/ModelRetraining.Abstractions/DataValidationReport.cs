namespace ModelRetraining;

/// <summary>What one validator found in one data set.</summary>
/// <param name="Validator">The validator's name.</param>
/// <param name="DataSet">The data set validated.</param>
/// <param name="Issues">Every issue found, errors and warnings.</param>
public sealed record DataValidationReport(string Validator, string DataSet, IReadOnlyList<DataValidationIssue> Issues)
{
    /// <summary>Gets the 0-based positions of rows the validator quarantined: the pipeline leaves them out of training and evaluation.</summary>
    public IReadOnlyList<long> QuarantinedRows { get; init; } = [];

    /// <summary>Gets the report files the validator wrote (JSON, HTML), if any.</summary>
    public IReadOnlyList<string> ReportFiles { get; init; } = [];

    /// <summary>Gets a value indicating whether any issue blocks training.</summary>
    public bool HasErrors => Issues.Any(i => i.Severity == ValidationSeverity.Error);
}
