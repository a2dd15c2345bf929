using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Drift detection for <see cref="RetrainingPipelineBuilder"/>.</summary>
public static class DriftPipelineBuilderExtensions
{
    /// <summary>
    /// Adds the drift check: each data set is compared with the champion's stored training-data profile;
    /// drifted columns and data-set drift are reported as issues, logged, counted, written as reports and
    /// passed to <see cref="DriftDetectionOptions.OnDrift"/>. The first run has no reference and says so.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder AddDriftDetection(this RetrainingPipelineBuilder builder, Action<DriftDetectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DriftDetectionOptions();
        configure?.Invoke(options);
        RetrainingPipelineBuilder.ThrowIfInvalid(nameof(DriftDetectionOptions), typeof(DriftDetectionOptions), options.Validate());
        // Created at Build(): the logger factory set after this call is the one used.
        return builder.AddValidator(context => new DriftValidator(options, context.LoggerFactory.CreateLogger<DriftValidator>()));
    }
}
