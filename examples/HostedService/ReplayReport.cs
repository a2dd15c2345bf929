using ModelRetraining;

namespace HostedService;

/// <summary>What a replay did.</summary>
/// <param name="Runs">Every run, in order, with its triggers and decision.</param>
/// <param name="MaxConcurrentRuns">The most runs of the model under way at once (the coordinator keeps it at one).</param>
public sealed record ReplayReport(IReadOnlyList<RetrainingRunResult> Runs, int MaxConcurrentRuns);
