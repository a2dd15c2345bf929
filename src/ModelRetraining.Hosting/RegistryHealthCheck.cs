using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ModelRetraining.Hosting;

/// <summary>The registry answers: its own health report, or a listing of its models.</summary>
internal sealed class RegistryHealthCheck(IModelRegistry registry) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (registry.GetService<IRegistryHealth>() is { } health)
            {
                var report = await health.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
                return report.Healthy
                    ? HealthCheckResult.Healthy($"{report.Backend} answers.")
                    : new HealthCheckResult(context.Registration.FailureStatus, $"{report.Backend}: {string.Join(" ", report.Problems)}");
            }

            var models = 0;
            await foreach (var _ in registry.ListModelsAsync(cancellationToken).ConfigureAwait(false))
            {
                models++;
            }

            return HealthCheckResult.Healthy($"The registry answers ({models} models).");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The registry does not answer: {ex.Message}", ex);
        }
    }
}
