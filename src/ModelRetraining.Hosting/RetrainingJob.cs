using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ModelRetraining.Hosting;

/// <summary>
/// The Quartz job of one model: it hands a trigger to that model's coordinator and lasts as long as the run it
/// caused. Quartz never runs it twice at once for a model, on one node or, with a clustered job store, across
/// the cluster; and a run another node started (the journal says when) counts toward this node's cooldown.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class RetrainingJob(IServiceProvider services, TimeProvider timeProvider) : IJob
{
    public const string PipelineKey = "pipeline";
    public const string KindKey = "kind";
    public const string ReasonKey = "reason";
    public const string ActorKey = "actor";
    public const string EvidenceKey = "evidence";

    public static JobKey KeyOf(string pipeline) => new($"retrain-{pipeline}", "model-retraining");

    // A trigger found elsewhere (a data check) carried to the model's job: kind, reason, who, and its evidence as JSON.
    public static JobDataMap DataOf(RetrainingTrigger trigger) => new()
    {
        [KindKey] = trigger.Kind,
        [ReasonKey] = trigger.Reason,
        [ActorKey] = trigger.Actor,
        [EvidenceKey] = System.Text.Json.JsonSerializer.Serialize(trigger.Evidence),
    };

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.MergedJobDataMap;
        var pipeline = services.GetRequiredKeyedService<RetrainingPipeline>(data.GetString(PipelineKey)!);
        var coordinator = services.GetRequiredKeyedService<RetrainingCoordinator>(data.GetString(PipelineKey)!);
        if (await LatestStartAsync(pipeline, cancellationToken).ConfigureAwait(false) is { } latest)
        {
            coordinator.ObserveStart(latest);
        }

        try
        {
            var evidence = data.GetString(EvidenceKey) is { } json
                ? new Dictionary<string, string>(System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["trigger"] = context.Trigger.Key.ToString(),
                    ["scheduledFor"] = context.ScheduledFireTimeUtc?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
                };
            evidence["node"] = context.Scheduler.SchedulerInstanceId;
            coordinator.Trigger(new RetrainingTrigger(data.GetString(KindKey) ?? "schedule", data.GetString(ReasonKey) ?? context.Trigger.Key.Name, data.GetString(ActorKey) ?? "quartz", timeProvider.GetUtcNow())
            {
                Evidence = evidence,
                FiringId = FiringIdOf(context),
            });
        }
        catch (ObjectDisposedException)
        {
            return; // the host is stopping: its coordinators stopped before Quartz did
        }

        await coordinator.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
    }

    // One firing: its trigger (the original one when Quartz recovers it) and the time it was due. A clustered
    // store can hand the same firing to two nodes when it takes a slow node for a dead one (its trigger is
    // released and acquired again while the slow node still fires it); the coordinator runs a firing once.
    internal static string FiringIdOf(IJobExecutionContext context)
    {
        var trigger = context.Recovering ? context.RecoveringTriggerKey : context.Trigger.Key;
        var due = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        return $"{trigger}@{due.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    // The latest start of any of the model's runs in the journal, by whichever node: one read per firing.
    private static async ValueTask<DateTimeOffset?> LatestStartAsync(RetrainingPipeline pipeline, CancellationToken cancellationToken)
    {
        DateTimeOffset? latest = null;
        await foreach (var run in pipeline.ListRunsAsync(cancellationToken).ConfigureAwait(false))
        {
            latest = latest is { } l && l > run.StartedAt ? l : run.StartedAt;
        }

        return latest;
    }
}
