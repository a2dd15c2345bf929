namespace ModelRetraining;

/// <summary>Options of the schema check that runs before training.</summary>
public sealed class SchemaValidationOptions
{
    /// <summary>Gets or sets the schema the data must have. Required.</summary>
    public DataSchema? Expected { get; set; }

    /// <summary>Gets or sets how a column that the schema does not name is treated.</summary>
    /// <value>The default value is <see cref="ValidationSeverity.Error"/>: an unexpected column usually means the wrong file or a changed export.</value>
    public ValidationSeverity ExtraColumnSeverity { get; set; } = ValidationSeverity.Error;

    /// <summary>Gets or sets the fewest rows a data set may have.</summary>
    /// <value>The default value is 1.</value>
    public long MinRows { get; set; } = 1;

    /// <summary>Gets or sets a value indicating whether the label column must be present and complete.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RequireLabel { get; set; } = true;

    /// <summary>Gets or sets the fewest distinct label values a Boolean or Text label must show (a classifier needs two).</summary>
    /// <value>The default value is 2.</value>
    public int MinLabelClasses { get; set; } = 2;

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Expected is null)
        {
            errors.Add($"{nameof(Expected)}: the expected schema is required.");
        }
        else if (Expected.Columns.Count == 0)
        {
            errors.Add($"{nameof(Expected)}: the expected schema has no column.");
        }
        else if (RequireLabel && Expected.LabelColumn is null)
        {
            errors.Add($"{nameof(Expected)}: {nameof(RequireLabel)} is set but the schema names no label column.");
        }

        if (MinRows < 0)
        {
            errors.Add($"{nameof(MinRows)} must be 0 or more; it is {MinRows}.");
        }

        if (MinLabelClasses < 1)
        {
            errors.Add($"{nameof(MinLabelClasses)} must be 1 or more; it is {MinLabelClasses}.");
        }

        if (!Enum.IsDefined(ExtraColumnSeverity))
        {
            errors.Add($"{nameof(ExtraColumnSeverity)}: {(int)ExtraColumnSeverity} is not a defined severity.");
        }

        return errors;
    }
}
