// Usage: Telemetry [registry folder]
// The quick start's pipeline once, on flights (January 2001 to train, early February to judge), with
// OpenTelemetry's console exporter: every stage of the run as a span under the run's span, then the
// library's metrics (runs, stage durations, drift, serving) when the meter provider is disposed.
// In a service, swap AddConsoleExporter() for AddOtlpExporter() and keep the rest.
using ModelRetraining;
using ModelRetraining.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using QuickStart;

var folder = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "model-retraining-telemetry");

// <snippet:telemetry>
using var tracing = Sdk.CreateTracerProviderBuilder()
    .AddModelRetrainingInstrumentation()        // the "ModelRetraining" activity source
    .AddConsoleExporter()
    .Build();
using var metrics = Sdk.CreateMeterProviderBuilder()
    .AddModelRetrainingInstrumentation()        // the "ModelRetraining" and "ModelRetraining.Serving" meters
    .AddConsoleExporter()
    .Build();
// </snippet:telemetry>

var registry = ModelRegistry.Embedded(folder);
var result = await FlightDelays.Pipeline(registry, FlightDelays.DataFile, (new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)), (new DateTime(2001, 2, 1), new DateTime(2001, 2, 15)))
    .Build()
    .RunAsync();
Console.WriteLine($"run {result.RunId}: {result.Status}");
metrics.ForceFlush();
return result.Status is RetrainingRunStatus.Succeeded or RetrainingRunStatus.Rejected ? 0 : 1;
