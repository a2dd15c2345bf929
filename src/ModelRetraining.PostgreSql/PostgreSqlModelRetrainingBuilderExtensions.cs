using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRetraining;
using ModelRetraining.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL registry: <c>services.AddModelRetraining().UsePostgreSql(connectionString, o => ...)</c>.</summary>
public static class PostgreSqlModelRetrainingBuilderExtensions
{
    /// <summary>
    /// Registers the PostgreSQL registry as the <see cref="IModelRegistry"/>, <see cref="IRunJournal"/> and
    /// <see cref="IApprovalStore"/> of every pipeline that does not set its own, and opens it when the host
    /// starts: the options are checked, the schema is created or migrated, and a database that cannot be
    /// reached stops the start with the cause after <see cref="PostgreSqlRegistryOptions.StartupAttempts"/> tries.
    /// </summary>
    /// <param name="builder">The builder from <c>AddModelRetraining()</c>.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Sets the options; the clock and logger come from the container unless set here.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder UsePostgreSql(this ModelRetrainingBuilder builder, string connectionString, Action<PostgreSqlRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var services = builder.Services;
        services.AddOptions<PostgreSqlRegistryOptions>()
            .Configure<IServiceProvider>((options, provider) =>
            {
                options.TimeProvider = provider.GetService<TimeProvider>() ?? TimeProvider.System;
                options.Logger = provider.GetService<ILoggerFactory>()?.CreateLogger("ModelRetraining.PostgreSql");
                configure?.Invoke(options);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlRegistryOptions>, PostgreSqlRegistryOptionsValidator>());
        services.TryAddSingleton(provider => (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(connectionString, provider.GetRequiredService<IOptions<PostgreSqlRegistryOptions>>().Value));
        services.Replace(ServiceDescriptor.Singleton<IModelRegistry>(provider => provider.GetRequiredService<PostgreSqlModelRegistry>()));
        services.Replace(ServiceDescriptor.Singleton<IRunJournal>(provider => provider.GetRequiredService<PostgreSqlModelRegistry>()));
        services.Replace(ServiceDescriptor.Singleton<IApprovalStore>(provider => provider.GetRequiredService<PostgreSqlModelRegistry>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, PostgreSqlRegistryInitializer>());
        return builder;
    }
}
