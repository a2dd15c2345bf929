using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Hosting;

/// <summary>
/// At host start, hands each scheduled pipeline's unfinished runs (their process died) to its coordinator,
/// which resumes them before any trigger can start a new run. Start is not held up: resuming runs in the background.
/// Then, every <see cref="RetrainingCoordinatorOptions.ResumeSweepInterval"/>, it looks again while the coordinator
/// is idle: a run whose node died while this host kept running (its claim older than the run lease) is resumed
/// here, so a cluster finishes a dead node's run without waiting for a restart.
/// </summary>
internal sealed partial class UnfinishedRunsResumer(IServiceProvider services, IOptions<RetrainingScheduleOptions> options, ILogger<UnfinishedRunsResumer>? logger = null, TimeProvider? timeProvider = null) : IHostedService, IDisposable
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _sweeps = [];

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
            var first = ReportAsync(pipeline, coordinator.ResumeUnfinishedAsync(CancellationToken.None));
            if ((schedule.Coordinators.GetValueOrDefault(pipeline) ?? new RetrainingCoordinatorOptions()).ResumeSweepInterval is { } every)
            {
                _sweeps.Add(SweepAsync(pipeline, coordinator, first, every, _stopping.Token));
            }
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_sweeps).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping.Cancel(); // a host whose start failed never called StopAsync: its sweeps end here
        _stopping.Dispose();
    }

    private async Task SweepAsync(string pipeline, RetrainingCoordinator coordinator, Task first, TimeSpan every, CancellationToken stopping)
    {
        await first.ConfigureAwait(false);
        using var timer = new PeriodicTimer(every, timeProvider ?? TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                Task<IReadOnlyList<RetrainingRunResult>> resuming;
                try
                {
                    resuming = coordinator.ResumeUnfinishedAsync(stopping);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
                {
                    continue; // a run is under way (the next tick looks again), or the host is stopping
                }

                await ReportAsync(pipeline, resuming, sweep: true).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // the host is stopping
        }
    }

    private async Task ReportAsync(string pipeline, Task<IReadOnlyList<RetrainingRunResult>> resuming, bool sweep = false)
    {
        try
        {
            foreach (var result in await resuming.ConfigureAwait(false))
            {
                Log.Resumed(_logger, pipeline, result.RunId, result.Status);
            }
        }
        catch (OperationCanceledException)
        {
            // the host is stopping
        }
        catch (Exception ex) when (sweep || ex is ModelRegistryException or IOException or InvalidOperationException or KeyNotFoundException)
        {
            // A sweep logs whatever failed (a database outage through a resilience pipeline, say) and tries again at its next tick.
            Log.ResumeFailed(_logger, ex, pipeline);
        }
    }
}
