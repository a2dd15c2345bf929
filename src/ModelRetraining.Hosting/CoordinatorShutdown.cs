using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Hosting;

/// <summary>
/// At host stop, stops every scheduled pipeline's coordinator: the run under way is cancelled and awaited within
/// the host's shutdown deadline, so nothing writes to the registry after the host stopped. Registered after
/// Quartz's hosted service, it stops before it: the retraining jobs that await their runs end at once, and
/// Quartz's wait for its jobs is short.
/// </summary>
internal sealed class CoordinatorShutdown(IServiceProvider services, IOptions<RetrainingScheduleOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
        => Task.WhenAll(options.Value.Pipelines().Select(p => services.GetRequiredKeyedService<RetrainingCoordinator>(p).StopAsync(cancellationToken)));
}
