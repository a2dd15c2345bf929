using Microsoft.Extensions.Options;

namespace ModelRetraining;

/// <summary>Resilience (Polly) for <see cref="RetrainingPipelineBuilder"/>.</summary>
public static class ResiliencePipelineBuilderExtensions
{
    /// <summary>Wraps the data sources and the registry in resilience pipelines (retry with jitter, attempt timeout, circuit breaker; non-idempotent registry writes get a timeout only).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the standard preset or supplies your own pipelines.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message lists every problem.</exception>
    public static RetrainingPipelineBuilder UseResilience(this RetrainingPipelineBuilder builder, Action<RetrainingResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ThrowIfBuilt();
        var options = new RetrainingResilienceOptions();
        configure?.Invoke(options);
        RetrainingPipelineBuilder.ThrowIfInvalid(nameof(RetrainingResilienceOptions), typeof(RetrainingResilienceOptions), options.Validate());
        builder.Resilience = options;
        return builder;
    }
}
