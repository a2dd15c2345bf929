using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ModelRetraining.Serving;

/// <summary>The server has a version loaded.</summary>
internal sealed class ChampionLoadedHealthCheck<TInput, TOutput>(ModelServer<TInput, TOutput> server) : IHealthCheck
    where TInput : class
    where TOutput : class, new()
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(server.Current is { } version
            ? HealthCheckResult.Healthy($"Serving {version}.")
            : new HealthCheckResult(context.Registration.FailureStatus, "No version is loaded yet: the server has not started, or its alias points at nothing."));
}
