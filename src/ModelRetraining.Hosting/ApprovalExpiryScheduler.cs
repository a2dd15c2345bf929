using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace ModelRetraining.Hosting;

/// <summary>
/// A run that waits for approval holds no job and no thread: its request sits in the registry. This
/// service gives each request with a deadline a one-off Quartz trigger at that deadline, for requests
/// open at host start and for every run that ends waiting for approval. Approving needs no job: the
/// approval itself promotes.
/// </summary>
internal sealed class ApprovalExpiryScheduler(IServiceProvider services, IOptions<RetrainingScheduleOptions> options, ISchedulerFactory schedulers) : IHostedService
{
    private static readonly JobKey Job = new("approval-expiry", "model-retraining");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        foreach (var name in options.Value.Pipelines())
        {
            var pipeline = services.GetRequiredKeyedService<RetrainingPipeline>(name);
            if (pipeline.Approvals is not { } approvals)
            {
                continue; // no approval store: no gate of this pipeline can wait for a person
            }

            await foreach (var request in approvals.ListOpenAsync(cancellationToken).ConfigureAwait(false))
            {
                if (request.ModelName == pipeline.ModelName)
                {
                    await ScheduleAsync(scheduler, name, request, cancellationToken).ConfigureAwait(false);
                }
            }

            services.GetRequiredKeyedService<RetrainingCoordinator>(name).RunCompleted += (_, result) =>
            {
                if (result.Status == RetrainingRunStatus.AwaitingApproval)
                {
                    _ = ScheduleForRunAsync(scheduler, name, approvals, result.RunId);
                }
            };
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task ScheduleForRunAsync(IScheduler scheduler, string name, IApprovalStore approvals, string runId)
    {
        if (await approvals.GetAsync(runId).ConfigureAwait(false) is { } request)
        {
            await ScheduleAsync(scheduler, name, request, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async ValueTask ScheduleAsync(IScheduler scheduler, string pipeline, ApprovalRequest request, CancellationToken cancellationToken)
    {
        if (request.Deadline is not { } deadline)
        {
            return;
        }

        if (!await scheduler.Exists(Job, cancellationToken).ConfigureAwait(false))
        {
            await scheduler.AddJob(JobBuilder.Create<ApprovalExpiryJob>().WithIdentity(Job).StoreDurably().Build(), AddJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
        }

        var key = new TriggerKey($"approval-expiry|{request.Id}", "model-retraining");
        if (await scheduler.Exists(key, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var trigger = TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(Job)
            .UsingJobData(ApprovalExpiryJob.PipelineKey, pipeline)
            .UsingJobData(ApprovalExpiryJob.RequestKey, request.Id)
            .StartAt(deadline)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(trigger, default, cancellationToken).ConfigureAwait(false);
    }
}
