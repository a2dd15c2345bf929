namespace ModelRetraining;

/// <summary>One finding of a data validator or of a data source while reading.</summary>
/// <param name="Severity">Whether the issue blocks training.</param>
/// <param name="Rule">A stable rule id, such as <c>schema.missing-column</c>.</param>
/// <param name="Message">A sentence that names the file, column, row or setting concerned.</param>
public sealed record DataValidationIssue(ValidationSeverity Severity, string Rule, string Message)
{
    /// <summary>Gets the column concerned, if any.</summary>
    public string? Column { get; init; }

    /// <summary>Gets the 1-based data row concerned (the header is row 0), if any.</summary>
    public long? Row { get; init; }

    /// <summary>Gets the data set (file, table) concerned, if any.</summary>
    public string? Source { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Severity}: {Message}";
}
