using System.Collections.Concurrent;
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

    // Per-arm figures are observed, not recorded: a collection reads the arms' own counters, so a prediction pays
    // nothing for them (the serving-overhead budget), and an exporter that never collects costs nothing at all.
    private static readonly ConcurrentDictionary<IRolloutArms, byte> Servers = new();

    public static readonly ObservableGauge<long> RolloutRequests = Meter.CreateObservableGauge(
        "modelretraining.serving.rollout.requests", () => Observe(a => a.Requests), "{request}", "Requests each arm of a running rollout served in its current step (tags: model, arm, version).");

    public static readonly ObservableGauge<double> RolloutLatencyP99 = Meter.CreateObservableGauge(
        "modelretraining.serving.rollout.latency.p99", () => Observe(a => a.LatencyP99Milliseconds / 1_000), "s", "The 99th percentile of each arm's prediction latency in the current step, after its warm-up calls.");

    public static readonly ObservableGauge<double> RolloutAccuracy = Meter.CreateObservableGauge(
        "modelretraining.serving.rollout.accuracy", () => Observe(a => a.Accuracy), "1", "The share of each arm's recorded outcomes in the current step that were right.");

    public static readonly ObservableGauge<long> RolloutErrors = Meter.CreateObservableGauge(
        "modelretraining.serving.rollout.errors", () => Observe(a => a.Errors), "{error}", "Predictions of each arm in the current step that threw.");

    public static void Follow(IRolloutArms server) => Servers.TryAdd(server, 0);

    public static void Forget(IRolloutArms server) => Servers.TryRemove(server, out _);

    // No measurement for a figure that is not there yet (NaN before any outcome or latency sample).
    private static IEnumerable<Measurement<T>> Observe<T>(Func<ArmStatistics, T> figure)
        where T : struct
    {
        foreach (var server in Servers.Keys)
        {
            foreach (var (arm, statistics) in server.CurrentArms())
            {
                var value = figure(statistics);
                if (value is double number && !double.IsFinite(number))
                {
                    continue;
                }

                yield return new Measurement<T>(value, new KeyValuePair<string, object?>("model", server.ModelName), new KeyValuePair<string, object?>("arm", arm), new KeyValuePair<string, object?>("version", statistics.Version));
            }
        }
    }
}
