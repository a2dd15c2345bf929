namespace ModelRetraining;

/// <summary>One data-quality rule: either judged row by row (with a "mostly" share) or on the whole data set.</summary>
internal sealed class QualityRule
{
    public required string Name { get; init; }

    public string? Column { get; init; }

    /// <summary>Gets the row test, for row-level rules.</summary>
    public Func<QualityRow, bool>? Row { get; init; }

    /// <summary>Gets the data-set test, for aggregate rules: returns a failure sentence, or null when the rule holds.</summary>
    public Func<QualityScan, string?>? Aggregate { get; init; }

    /// <summary>Gets or sets the share of rows that must pass (row-level rules).</summary>
    public double Mostly { get; set; } = 1;

    public ValidationSeverity Severity { get; set; } = ValidationSeverity.Error;

    public bool Quarantine { get; set; }

    public string Expectation { get; init; } = string.Empty;
}
