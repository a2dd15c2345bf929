using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Hosting;

/// <summary>Creates each pipeline's coordinator once, with its configured options and the host's clock.</summary>
internal static class CoordinatorRegistration
{
    public static RetrainingCoordinator Create(IServiceProvider services, string pipeline)
    {
        var options = services.GetRequiredService<IOptions<RetrainingScheduleOptions>>().Value.Coordinators.GetValueOrDefault(pipeline);
        return new RetrainingCoordinator(services.GetRequiredKeyedService<RetrainingPipeline>(pipeline), options, services.GetService<TimeProvider>());
    }
}
