using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;

namespace ModelRetraining.Hosting;

/// <summary>A one-off Quartz job at an approval request's deadline: it expires (rejects or escalates) every request that is due.</summary>
internal sealed partial class ApprovalExpiryJob(IServiceProvider services, TimeProvider timeProvider, ILogger<ApprovalExpiryJob>? logger = null) : IJob
{
    public const string PipelineKey = "pipeline";
    public const string RequestKey = "request";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pipeline = services.GetRequiredKeyedService<RetrainingPipeline>(context.MergedJobDataMap.GetString(PipelineKey)!);
        if (pipeline.Approvals is not { } approvals)
        {
            return; // scheduled only for pipelines with an approval store
        }

        foreach (var request in await new ApprovalGateway(pipeline.Registry, timeProvider, approvals: approvals).ExpireDueAsync(cancellationToken).ConfigureAwait(false))
        {
            Log.Expired(logger ?? (ILogger)NullLogger.Instance, request.Id, request.ModelName, request.Version, request.Status);
        }
    }
}
