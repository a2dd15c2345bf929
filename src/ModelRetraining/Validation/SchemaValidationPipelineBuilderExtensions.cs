using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Schema checks for <see cref="RetrainingPipelineBuilder"/>: the data against a declared schema, and against the schema inferred from the champion's training data.</summary>
public static class SchemaValidationPipelineBuilderExtensions
{
    /// <summary>Adds the schema check: columns, types, row count and label.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="expected">The schema the data must have.</param>
    /// <param name="configure">Adjusts the other options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder AddSchemaValidation(this RetrainingPipelineBuilder builder, DataSchema expected, Action<SchemaValidationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SchemaValidationOptions { Expected = expected };
        configure?.Invoke(options);
        RetrainingPipelineBuilder.ThrowIfInvalid(nameof(SchemaValidationOptions), typeof(SchemaValidationOptions), options.Validate());
        return builder.AddValidator(new SchemaValidator(options));
    }

    /// <summary>
    /// Adds the check of new data against the schema inferred from the champion's training data (stored with
    /// every version as <c>schema.json</c>): missing, extra and retyped columns, values the champion never saw
    /// (share of rows), values outside its range, new missing values, and the label per environment.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder AddChampionSchemaValidation(this RetrainingPipelineBuilder builder, Action<ChampionSchemaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ChampionSchemaOptions();
        configure?.Invoke(options);
        RetrainingPipelineBuilder.ThrowIfInvalid(nameof(ChampionSchemaOptions), typeof(ChampionSchemaOptions), options.Validate());
        return builder.AddValidator(new ChampionSchemaValidator(options));
    }
}
