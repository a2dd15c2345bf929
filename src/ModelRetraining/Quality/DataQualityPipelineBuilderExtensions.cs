using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Data-quality rules for <see cref="RetrainingPipelineBuilder"/>.</summary>
public static class DataQualityPipelineBuilderExtensions
{
    /// <summary>Adds data-quality rules (completeness, uniqueness, allowed values, ranges, regex, row counts, statistics, custom predicates), each blocking, warning or quarantining.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Composes the rules.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">A rule is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder AddDataQuality(this RetrainingPipelineBuilder builder, Action<DataQualityBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var quality = new DataQualityBuilder();
        configure(quality);
        RetrainingPipelineBuilder.ThrowIfInvalid(nameof(DataQualityBuilder), typeof(DataQualityBuilder), quality.Validate());
        return builder.AddValidator(new DataQualityValidator(quality.Rules.ToArray(), quality.ReportFolder));
    }
}
