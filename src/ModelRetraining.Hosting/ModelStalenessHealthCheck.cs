using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ModelRetraining.Hosting;

/// <summary>A model's champion has held its alias no longer than allowed (since the alias last moved).</summary>
internal sealed class ModelStalenessHealthCheck(IModelRegistry registry, string modelName, TimeSpan maxAge, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var champion = await registry.GetAliasAsync(modelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
        if (champion is null)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"'{modelName}' has no champion.");
        }

        DateTimeOffset? since = null;
        await foreach (var move in registry.GetAliasHistoryAsync(modelName, ModelAliases.Champion, cancellationToken).ConfigureAwait(false))
        {
            since = since is null || move.At > since ? move.At : since;
        }

        var age = time.GetUtcNow() - (since ?? champion.CreatedAt);
        var data = new Dictionary<string, object> { ["version"] = champion.Version, ["age_days"] = Math.Round(age.TotalDays, 2) };
        var description = string.Create(CultureInfo.InvariantCulture, $"'{modelName}' v{champion.Version} has been champion for {age.TotalDays:0.#} days (at most {maxAge.TotalDays:0.#} allowed).");
        return age > maxAge ? new HealthCheckResult(context.Registration.FailureStatus, description, data: data) : HealthCheckResult.Healthy(description, data);
    }
}
