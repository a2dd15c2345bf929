namespace ModelRetraining;

/// <summary>Options of the check of new data against the schema inferred from the champion's training data.</summary>
public sealed class ChampionSchemaOptions
{
    /// <summary>Gets or sets the environment of the data.</summary>
    /// <value>The default value is <see cref="SchemaEnvironment.Training"/>.</value>
    public SchemaEnvironment Environment { get; set; } = SchemaEnvironment.Training;

    /// <summary>Gets or sets the share of rows with a category the champion never saw above which an issue is raised.</summary>
    /// <value>The default value is 0.01.</value>
    public double NewCategoryShare { get; set; } = 0.01;

    /// <summary>Gets or sets the share of values outside the champion's seen range above which an issue is raised (estimated from the profile's sketch).</summary>
    /// <value>The default value is 0.01.</value>
    public double OutOfRangeShare { get; set; } = 0.01;

    /// <summary>Gets or sets the severity of new-category, out-of-range and new-missing-values issues.</summary>
    /// <value>The default value is <see cref="ValidationSeverity.Warning"/>.</value>
    public ValidationSeverity Severity { get; set; } = ValidationSeverity.Warning;

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(NewCategoryShare >= 0 && NewCategoryShare <= 1))
        {
            errors.Add($"{nameof(NewCategoryShare)} must be in [0, 1]; it is {NewCategoryShare}.");
        }

        if (!(OutOfRangeShare >= 0 && OutOfRangeShare <= 1))
        {
            errors.Add($"{nameof(OutOfRangeShare)} must be in [0, 1]; it is {OutOfRangeShare}.");
        }

        if (!Enum.IsDefined(Environment))
        {
            errors.Add($"{nameof(Environment)}: {(int)Environment} is not an environment.");
        }

        if (!Enum.IsDefined(Severity))
        {
            errors.Add($"{nameof(Severity)}: {(int)Severity} is not a severity.");
        }

        return errors;
    }
}
