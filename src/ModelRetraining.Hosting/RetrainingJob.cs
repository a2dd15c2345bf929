using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ModelRetraining.Hosting;

/// <summary>The Quartz job of one model: it hands a trigger to that model's coordinator. Quartz never runs it twice at once for a model.</summary>
[DisallowConcurrentExecution]
internal sealed class RetrainingJob(IServiceProvider services, TimeProvider timeProvider) : IJob
{
    public const string PipelineKey = "pipeline";
    public const string KindKey = "kind";
    public const string ReasonKey = "reason";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.MergedJobDataMap;
        var pipeline = data.GetString(PipelineKey)!;
        var coordinator = services.GetRequiredKeyedService<RetrainingCoordinator>(pipeline);
        coordinator.Trigger(new RetrainingTrigger(data.GetString(KindKey) ?? "schedule", data.GetString(ReasonKey) ?? context.Trigger.Key.Name, "quartz", timeProvider.GetUtcNow())
        {
            Evidence = new Dictionary<string, string>(StringComparer.Ordinal) { ["trigger"] = context.Trigger.Key.ToString(), ["scheduledFor"] = context.ScheduledFireTimeUtc?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty },
        });
        return ValueTask.CompletedTask;
    }
}
