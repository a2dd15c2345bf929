using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ModelRetraining.Hosting;

/// <summary>Health checks for a host that retrains: the registry answers, and a model's champion is not older than you allow.</summary>
public static class ModelRetrainingHealthChecks
{
    /// <summary>
    /// Checks that the host's <see cref="IModelRegistry"/> answers: its own health report where it has one
    /// (<see cref="IRegistryHealth"/>: the embedded registry checks its database and artifact folder), a
    /// listing of its models otherwise. Unhealthy, with the registry's words, when it does not.
    /// </summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="tags">Tags, e.g. <c>ready</c>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddModelRetrainingRegistry(this IHealthChecksBuilder builder, string name = "modelretraining-registry", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, services => new RegistryHealthCheck(services.GetRequiredService<IModelRegistry>()), HealthStatus.Unhealthy, tags));
    }

    /// <summary>
    /// Reports a model Degraded when its champion has held the alias longer than <paramref name="maxAge"/>
    /// (since the latest move of the alias), or when it has no champion: retraining has stopped promoting,
    /// and serving still works. Healthy otherwise.
    /// </summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="modelName">The model.</param>
    /// <param name="maxAge">The longest a champion may serve unrefreshed.</param>
    /// <param name="timeProvider">The clock; the host's <see cref="TimeProvider"/> service, else <see cref="TimeProvider.System"/>, when <see langword="null"/>.</param>
    /// <param name="tags">Tags.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddModelStaleness(this IHealthChecksBuilder builder, string modelName, TimeSpan maxAge, TimeProvider? timeProvider = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        return builder.Add(new HealthCheckRegistration($"modelretraining-staleness-{modelName}", services => new ModelStalenessHealthCheck(services.GetRequiredService<IModelRegistry>(), modelName, maxAge, timeProvider ?? services.GetService<TimeProvider>() ?? TimeProvider.System), HealthStatus.Degraded, tags));
    }
}
