using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRetraining;
using ModelRetraining.Redis;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Consumes a Redis stream into the dataset store while the host runs.</summary>
public static class RedisIngestionExtensions
{
    /// <summary>
    /// Runs a <see cref="RedisStreamIngestion{T}"/> of <paramref name="dataset"/> as a hosted service: each stored
    /// batch is logged (event 90); a failure is logged (91) and the consumer starts again after
    /// <see cref="RedisStreamIngestionOptions.RestartDelay"/>, doubled with each failure in a row up to
    /// <see cref="RedisStreamIngestionOptions.MaxRestartDelay"/>, first reading what it had not acknowledged.
    /// </summary>
    /// <typeparam name="T">The row type read from each message's JSON.</typeparam>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="dataset">The dataset.</param>
    /// <param name="redis">The connection, from the container.</param>
    /// <param name="store">The dataset store, from the container.</param>
    /// <param name="configure">Sets the stream, group, consumer and batch bounds, given the container.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The dataset name is invalid (the options are checked when the host builds the service; each problem is named).</exception>
    public static ModelRetrainingBuilder AddRedisStreamIngestion<T>(this ModelRetrainingBuilder builder, string dataset, Func<IServiceProvider, IConnectionMultiplexer> redis, Func<IServiceProvider, DatasetStore> store, Action<IServiceProvider, RedisStreamIngestionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddSingleton<IHostedService>(services =>
        {
            var options = new RedisStreamIngestionOptions { TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System };
            configure(services, options);
            var connection = redis(services);
            var datasets = store(services);
            RedisStreamIngestion<T>? first = new(connection, datasets, dataset, options); // refuses bad options and row types when the host starts
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger("ModelRetraining.Redis.StreamIngestion") ?? NullLogger.Instance;

            // The first start runs the consumer checked here; a restart after a failure builds a fresh one.
            return new RedisStreamIngestionService<T>(() => Interlocked.Exchange(ref first, null) ?? new RedisStreamIngestion<T>(connection, datasets, dataset, options), dataset, options, logger);
        });
        return builder;
    }
}
