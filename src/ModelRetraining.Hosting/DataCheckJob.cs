using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;

namespace ModelRetraining.Hosting;

/// <summary>
/// Runs one periodic data check. The trigger it produces, if any, goes through the model's retraining job when the
/// host schedules one (one execution at a time across a cluster, the cooldown read from the journal), else to the
/// model's coordinator on this node, whose run the check then waits for.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class DataCheckJob(IServiceProvider services, IOptions<RetrainingScheduleOptions> options, TimeProvider timeProvider) : IJob
{
    public const string CheckKey = "check";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var check = options.Value.Checks.Single(c => c.Id == context.MergedJobDataMap.GetString(CheckKey));
        var pipeline = services.GetRequiredKeyedService<RetrainingPipeline>(check.Pipeline);
        var source = check.Source(services);
        var trigger = check.Kind switch
        {
            DataCheckKind.Drift => await DataCheck.DriftAsync(pipeline.Registry, pipeline.ModelName, source, check.Drift, timeProvider, cancellationToken).ConfigureAwait(false),
            DataCheckKind.NewRowShare => await DataCheck.NewDataShareAsync(pipeline.Registry, pipeline.ModelName, source, check.MinNewShare!.Value, timeProvider, cancellationToken).ConfigureAwait(false),
            _ => await DataCheck.NewDataAsync(pipeline.Registry, pipeline.ModelName, source, check.MinNewRows, timeProvider, cancellationToken).ConfigureAwait(false),
        };
        if (trigger is null)
        {
            return;
        }

        var retrain = RetrainingJob.KeyOf(check.Pipeline);
        if (await context.Scheduler.Exists(retrain, cancellationToken).ConfigureAwait(false))
        {
            await context.Scheduler.TriggerJob(retrain, RetrainingJob.DataOf(trigger), cancellationToken).ConfigureAwait(false);
            return;
        }

        var coordinator = services.GetRequiredKeyedService<RetrainingCoordinator>(check.Pipeline);
        try
        {
            coordinator.Trigger(trigger);
        }
        catch (ObjectDisposedException)
        {
            return; // the host is stopping
        }

        await coordinator.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
    }
}
