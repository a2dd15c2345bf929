using System.Diagnostics.Metrics;

namespace ModelRetraining.Serving;

/// <summary>The serving package's one meter and its instruments (docs/observability.md lists them).</summary>
internal static class ServingTelemetry
{
    public static readonly Meter Meter = new("ModelRetraining.Serving");

    public static readonly Counter<long> Swaps = Meter.CreateCounter<long>("modelretraining.serving.swaps", "{swap}", "Champion versions swapped in after an alias move.");

    public static readonly Counter<long> SwapFailures = Meter.CreateCounter<long>("modelretraining.serving.swap_failures", "{failure}", "Versions that failed to load after an alias move; the previous one kept serving.");

    public static readonly Counter<long> Rollbacks = Meter.CreateCounter<long>("modelretraining.serving.rollbacks", "{rollback}", "Alias rollbacks made through a server, and rollouts rolled back.");

    public static readonly Counter<long> RolloutChanges = Meter.CreateCounter<long>("modelretraining.serving.rollout_changes", "{change}", "Rollout status changes (started, stepped, paused, resumed, promoted, rolled back, stopped).");
}
