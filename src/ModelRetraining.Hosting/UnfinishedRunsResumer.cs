using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Hosting;

/// <summary>
/// At host start, hands each scheduled pipeline's unfinished runs (their process died) to its coordinator,
/// which resumes them before any trigger can start a new run. Start is not held up: resuming runs in the background.
/// </summary>
internal sealed partial class UnfinishedRunsResumer(IServiceProvider services, IOptions<RetrainingScheduleOptions> options, ILogger<UnfinishedRunsResumer>? logger = null) : IHostedService
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var schedule = options.Value;
        foreach (var pipeline in schedule.Pipelines())
        {
            if (schedule.Coordinators.GetValueOrDefault(pipeline) is { ResumeUnfinishedRunsOnStart: false })
            {
                continue;
            }

            var coordinator = services.GetRequiredKeyedService<RetrainingCoordinator>(pipeline);
            _ = ReportAsync(pipeline, coordinator.ResumeUnfinishedAsync(CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ReportAsync(string pipeline, Task<IReadOnlyList<RetrainingRunResult>> resuming)
    {
        try
        {
            foreach (var result in await resuming.ConfigureAwait(false))
            {
                Log.Resumed(_logger, pipeline, result.RunId, result.Status);
            }
        }
        catch (Exception ex) when (ex is ModelRegistryException or IOException or InvalidOperationException or KeyNotFoundException)
        {
            Log.ResumeFailed(_logger, ex, pipeline);
        }
    }
}
