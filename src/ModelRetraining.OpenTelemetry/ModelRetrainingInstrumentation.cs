using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ModelRetraining.OpenTelemetry;

/// <summary>
/// Subscribes OpenTelemetry providers to ModelRetraining's telemetry, in the manner of Npgsql's package: it
/// only names the sources and meters (<c>AddSource</c>/<c>AddMeter</c>); the library itself emits through
/// <c>System.Diagnostics</c> whether or not this package is used.
/// </summary>
public static class ModelRetrainingInstrumentation
{
    /// <summary>The activity source of pipeline runs (<c>ModelRetraining.Run</c>) and their stages (<c>ModelRetraining.Training</c>, …).</summary>
    public const string ActivitySourceName = "ModelRetraining";

    /// <summary>The meter of pipeline runs: <c>modelretraining.runs</c>, <c>modelretraining.stage.duration</c>, <c>modelretraining.promotions</c>, drift and validation counts.</summary>
    public const string MeterName = "ModelRetraining";

    /// <summary>The meter of the model server: <c>modelretraining.serving.swaps</c>, <c>.swap_failures</c>, <c>.rollbacks</c>, <c>.rollout_changes</c>.</summary>
    public const string ServingMeterName = "ModelRetraining.Serving";

    /// <summary>Records the spans of pipeline runs and their stages. A failed run's span has status Error, the exception as an event and <c>error.type</c>.</summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddModelRetrainingInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ActivitySourceName);
    }

    /// <summary>Records the pipeline's and the model server's instruments. Process and runtime figures are OpenTelemetry's own (<c>process.*</c>, <c>dotnet.*</c>): add its runtime instrumentation rather than expecting them here.</summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddModelRetrainingInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(MeterName, ServingMeterName);
    }
}
