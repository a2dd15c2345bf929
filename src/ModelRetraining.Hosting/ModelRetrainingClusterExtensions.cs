using Microsoft.Extensions.Options;
using ModelRetraining;
using ModelRetraining.Hosting;
using Npgsql;
using Quartz;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a host's schedules on a Quartz.NET cluster kept in PostgreSQL, and routes pipelines to the nodes that can run them.</summary>
public static class ModelRetrainingClusterExtensions
{
    /// <summary>
    /// Keeps Quartz's jobs and triggers in PostgreSQL and makes this host a node of a cluster with every host
    /// that names the same database, table prefix and <see cref="PostgreSqlJobStoreOptions.ClusterName"/>: each
    /// firing runs on one node; a model's retraining job never runs on two nodes at once and lasts as long as
    /// the run it caused; a node that stops checking in has its triggers taken over by the others; a missed
    /// firing is caught up once. Quartz creates its tables when they are missing. Every node registers the
    /// same pipelines and schedules.
    /// </summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="configure">Adjusts the options (the node's capabilities, its id, check-in times).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">An option or the connection string is invalid; the message lists every problem.</exception>
    public static ModelRetrainingBuilder UsePostgreSqlJobStore(this ModelRetrainingBuilder builder, string connectionString, Action<PostgreSqlJobStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new PostgreSqlJobStoreOptions();
        configure?.Invoke(options);
        var errors = options.Validate().ToList();
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            errors.Add($"The connection string is not valid: {ex.Message}");
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(PostgreSqlJobStoreOptions), typeof(PostgreSqlJobStoreOptions), errors);
        }

        ModelRetrainingSchedulingExtensions.EnsureScheduler(builder);
        var node = options.NodeId ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        builder.Services.Configure<RetrainingScheduleOptions>(o => o.ClusterNode = (node, [.. options.Capabilities]));
        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.ClusterName;
                s.InstanceId = node;
                // "_" is the bucket of triggers with no execution group: every node serves the pipelines that require nothing.
                s.ServedExecutionGroups.Add("_");
                foreach (var capability in options.Capabilities.Distinct(StringComparer.Ordinal))
                {
                    s.ServedExecutionGroups.Add(capability);
                }
            });
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(NpgsqlFactory.Instance, connectionString);
                s.ConfigureStore(o => o.TablePrefix = options.TablePrefix);
                s.UseClustering(c =>
                {
                    c.CheckinInterval = options.CheckinInterval;
                    c.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
                });
                s.ProvisionSchema();
            });
        });
        return builder;
    }

    /// <summary>
    /// Runs <paramref name="pipeline"/>'s schedules and data checks only on nodes that declare
    /// <paramref name="capability"/> (<see cref="PostgreSqlJobStoreOptions.Capabilities"/>): its triggers carry
    /// the capability as their Quartz execution group, and wait while no live node serves it.
    /// </summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="capability">What a node must be able to do, such as <c>gpu</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The capability's name is not acceptable.</exception>
    public static ModelRetrainingBuilder RequireCapability(this ModelRetrainingBuilder builder, string pipeline, string capability)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        if (PostgreSqlJobStoreOptions.CapabilityProblem(capability) is { } problem)
        {
            throw new ArgumentException($"RequireCapability(\"{pipeline}\", ...): {problem}", nameof(capability));
        }

        ModelRetrainingSchedulingExtensions.EnsureScheduler(builder);
        Capabilities(builder).Require(pipeline, capability);
        return builder;
    }

    // One instance per host's services, created by the first registration that needs it; trigger builders read it later.
    internal static PipelineCapabilities Capabilities(ModelRetrainingBuilder builder)
    {
        if (builder.Services.FirstOrDefault(d => d.ServiceType == typeof(PipelineCapabilities))?.ImplementationInstance is PipelineCapabilities existing)
        {
            return existing;
        }

        var capabilities = new PipelineCapabilities();
        builder.Services.AddSingleton(capabilities);
        return capabilities;
    }
}
