using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;

namespace ModelRetraining.Hosting;

/// <summary>Runs one periodic data check and hands the trigger it produces, if any, to the model's coordinator.</summary>
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
        if (trigger is not null)
        {
            services.GetRequiredKeyedService<RetrainingCoordinator>(check.Pipeline).Trigger(trigger);
        }
    }
}
