using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ModelRetraining.Serving;

/// <summary>Readiness of a model server: it has a champion loaded and answers predictions.</summary>
public static class ModelServerHealthChecks
{
    /// <summary>
    /// Reports the host's <see cref="ModelServer{TInput, TOutput}"/> Unhealthy until it has loaded a version
    /// (before <c>StartAsync</c>, or while the alias points at nothing), Healthy with the version it serves
    /// after. Tag it <c>ready</c> and map it on the readiness endpoint: a replica takes traffic only once it can answer.
    /// </summary>
    /// <typeparam name="TInput">The server's input type.</typeparam>
    /// <typeparam name="TOutput">The server's output type.</typeparam>
    /// <param name="builder">The health checks.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="tags">Tags; <c>ready</c> when <see langword="null"/>.</param>
    /// <param name="modelName">The model whose server is checked (servers are keyed by model); the only, or first, registered server when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddModelServerReadiness<TInput, TOutput>(this IHealthChecksBuilder builder, string name = "modelretraining-model-server", IEnumerable<string>? tags = null, string? modelName = null)
        where TInput : class
        where TOutput : class, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, services => new ChampionLoadedHealthCheck<TInput, TOutput>(modelName is null ? services.GetRequiredService<ModelServer<TInput, TOutput>>() : services.GetRequiredKeyedService<ModelServer<TInput, TOutput>>(modelName)), HealthStatus.Unhealthy, tags ?? ["ready"]));
    }
}
