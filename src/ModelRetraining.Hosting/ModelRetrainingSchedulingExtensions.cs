using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelRetraining;
using ModelRetraining.Hosting;
using Quartz;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Quartz.NET schedules that feed each pipeline's <see cref="RetrainingCoordinator"/>.</summary>
public static class ModelRetrainingSchedulingExtensions
{
    /// <summary>Retrains <paramref name="pipeline"/> on a Quartz cron schedule (seconds first: <c>0 0 3 * * ?</c> is 03:00 every day).</summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="cron">The Quartz cron expression.</param>
    /// <param name="timeZone">The time zone id the expression is read in; UTC when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddCronTrigger(this ModelRetrainingBuilder builder, string pipeline, string cron, string? timeZone = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(cron);
        return AddSchedule(builder, new ScheduleRegistration(pipeline, cron, timeZone, null));
    }

    /// <summary>Retrains <paramref name="pipeline"/> when the host starts and then every <paramref name="every"/> (the coordinator's cooldown still applies).</summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="every">The interval.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddIntervalTrigger(this ModelRetrainingBuilder builder, string pipeline, TimeSpan every)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return AddSchedule(builder, new ScheduleRegistration(pipeline, null, null, every));
    }

    /// <summary>Checks recent data every <paramref name="every"/> against the champion's stored training-data profile and retrains when the data set drifted.</summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="recent">Gives the recent data to check.</param>
    /// <param name="every">How often to check.</param>
    /// <param name="drift">Drift settings; the defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddDriftTrigger(this ModelRetrainingBuilder builder, string pipeline, Func<IServiceProvider, IDataSource> recent, TimeSpan every, DriftOptions? drift = null)
        => AddCheck(builder, pipeline, DataCheckKind.Drift, recent, every, 0, drift, null);

    /// <summary>Counts the rows of a source every <paramref name="every"/> and retrains when it holds at least <paramref name="minNewRows"/> more rows than the champion was trained on.</summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="source">Gives the data to count.</param>
    /// <param name="minNewRows">The fewest new rows that justify a run.</param>
    /// <param name="every">How often to check.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddNewDataTrigger(this ModelRetrainingBuilder builder, string pipeline, Func<IServiceProvider, IDataSource> source, long minNewRows, TimeSpan every)
        => AddCheck(builder, pipeline, DataCheckKind.NewRows, source, every, minNewRows, null, null);

    /// <summary>Counts the rows of a source every <paramref name="every"/> and retrains when the rows beyond the champion's training rows make at least <paramref name="minNewShare"/> of them (0.2 = 20% more data).</summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="source">Creates the source to count.</param>
    /// <param name="minNewShare">The smallest share of new rows that justifies a run.</param>
    /// <param name="every">How often to count.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddNewDataShareTrigger(this ModelRetrainingBuilder builder, string pipeline, Func<IServiceProvider, IDataSource> source, double minNewShare, TimeSpan every)
        => AddCheck(builder, pipeline, DataCheckKind.NewRowShare, source, every, 1, null, minNewShare);

    /// <summary>Registers a <see cref="PerformanceMonitor"/> for the pipeline (a keyed service): the host feeds it outcomes, and a change in the error stream retrains.</summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="detector">Creates the detector; ADWIN when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddPerformanceTrigger(this ModelRetrainingBuilder builder, string pipeline, Func<IConceptDriftDetector>? detector = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        EnsureScheduler(builder);
        builder.Services.Configure<RetrainingScheduleOptions>(o => o.PerformanceTriggers.Add(pipeline));
        builder.Services.TryAddKeyedSingleton(pipeline, (sp, _) => CoordinatorRegistration.Create(sp, pipeline));
        builder.Services.AddKeyedSingleton(pipeline, (sp, _) => new PerformanceMonitor(detector?.Invoke(), t => sp.GetRequiredKeyedService<RetrainingCoordinator>(pipeline).Trigger(t), sp.GetService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// Makes one clock drive everything: pipelines, coordinators, checks and the Quartz scheduler itself
    /// (cron and interval triggers fire when this clock says so). Pass a <c>FakeTimeProvider</c> to replay
    /// months of schedules in seconds.
    /// </summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder UseTimeProvider(this ModelRetrainingBuilder builder, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(timeProvider);
        builder.Services.Replace(ServiceDescriptor.Singleton(timeProvider));
        EnsureScheduler(builder);
        builder.Services.AddQuartz(q => q.UseTimeProvider(timeProvider));
        return builder;
    }

    /// <summary>
    /// Retrains <paramref name="pipeline"/> when the label-free estimate of a binary classifier's
    /// performance (CBPE) falls below the reference range. Resolve the keyed
    /// <see cref="EstimatedPerformanceMonitor"/> and hand it each prediction's score.
    /// </summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="estimator">Creates the estimator, fitted on a labelled reference period.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddEstimatedPerformanceTrigger(this ModelRetrainingBuilder builder, string pipeline, Func<IServiceProvider, ConfidenceBasedPerformanceEstimator> estimator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        ArgumentNullException.ThrowIfNull(estimator);
        EnsureScheduler(builder);
        builder.Services.Configure<RetrainingScheduleOptions>(o => o.PerformanceTriggers.Add(pipeline));
        builder.Services.TryAddKeyedSingleton(pipeline, (sp, _) => CoordinatorRegistration.Create(sp, pipeline));
        builder.Services.AddKeyedSingleton(pipeline, (sp, _) => new EstimatedPerformanceMonitor(estimator(sp), t => sp.GetRequiredKeyedService<RetrainingCoordinator>(pipeline).Trigger(t), sp.GetService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// Keeps Quartz's jobs and triggers in a SQLite file, so that schedules, their last fire times and
    /// one-off triggers (approval deadlines) survive a restart. The tables are created when missing.
    /// Without it, the store is in memory.
    /// </summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="databasePath">The SQLite file, created with its folder when missing.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder UseSqliteJobStore(this ModelRetrainingBuilder builder, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        EnsureScheduler(builder);
        var path = Path.GetFullPath(databasePath);
        builder.Services.Configure<RetrainingScheduleOptions>(o => o.JobStorePath = path);
        builder.Services.AddQuartz(q => q.UsePersistentStore(s =>
        {
            s.UseSqlite(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path }.ToString());
            s.ProvisionSchema();
        }));
        return builder;
    }

    /// <summary>Sets the cooldown, debounce and actor of a pipeline's coordinator.</summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder ConfigureCoordinator(this ModelRetrainingBuilder builder, string pipeline, Action<RetrainingCoordinatorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        ArgumentNullException.ThrowIfNull(configure);
        EnsureScheduler(builder);
        builder.Services.Configure<RetrainingScheduleOptions>(o =>
        {
            var options = o.Coordinators.TryGetValue(pipeline, out var existing) ? existing : o.Coordinators[pipeline] = new RetrainingCoordinatorOptions();
            configure(options);
        });
        return builder;
    }

    private static ModelRetrainingBuilder AddCheck(ModelRetrainingBuilder builder, string pipeline, DataCheckKind kind, Func<IServiceProvider, IDataSource> source, TimeSpan every, long minNewRows, DriftOptions? drift, double? minNewShare)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(pipeline);
        ArgumentNullException.ThrowIfNull(source);
        EnsureScheduler(builder);
        // The id names the pipeline, the kind, the interval and the check's place among the host's checks:
        // unique however many checks one pipeline has, and the same at every start (a persistent job store
        // finds its triggers again).
        var index = builder.Services.Count(d => d.ServiceType == typeof(DataCheckRegistration));
        var check = new DataCheckRegistration($"{pipeline}|{kind}|{every}|{index}", pipeline, kind, source, every, minNewRows, drift) { MinNewShare = minNewShare };
        builder.Services.AddSingleton(check);
        builder.Services.Configure<RetrainingScheduleOptions>(o => o.Checks.Add(check));
        builder.Services.TryAddKeyedSingleton(pipeline, (sp, _) => CoordinatorRegistration.Create(sp, pipeline));
        var capabilities = ModelRetrainingClusterExtensions.Capabilities(builder);
        builder.Services.AddQuartz(q =>
        {
            var job = new JobKey($"check-{check.Id}", "model-retraining");
            q.AddJob<DataCheckJob>(j => j.WithIdentity(job).StoreDurably().UsingJobData(DataCheckJob.CheckKey, check.Id));
            var interval = every > TimeSpan.Zero ? every : TimeSpan.FromDays(1);
            q.AddTrigger(t =>
            {
                // A check runs where its pipeline may run: the trigger it finds is handed to that node's coordinator.
                t.ForJob(job).WithIdentity(check.Id, "model-retraining").StartNow().WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount));
                if (capabilities.Of(pipeline) is { } capability)
                {
                    t.WithExecutionGroup(capability);
                }
            });
        });
        return builder;
    }

    private static ModelRetrainingBuilder AddSchedule(ModelRetrainingBuilder builder, ScheduleRegistration schedule)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schedule.Pipeline);
        EnsureScheduler(builder);
        builder.Services.Configure<RetrainingScheduleOptions>(o => o.Schedules.Add(schedule));
        builder.Services.TryAddKeyedSingleton(schedule.Pipeline, (sp, _) => CoordinatorRegistration.Create(sp, schedule.Pipeline));
        var capabilities = ModelRetrainingClusterExtensions.Capabilities(builder);
        builder.Services.AddQuartz(q =>
        {
            var job = RetrainingJob.KeyOf(schedule.Pipeline);
            q.AddJob<RetrainingJob>(j => j.WithIdentity(job).StoreDurably().UsingJobData(RetrainingJob.PipelineKey, schedule.Pipeline));
            q.AddTrigger(t =>
            {
                t.ForJob(job).WithIdentity(schedule.Cron is not null ? $"{schedule.Pipeline}|cron|{schedule.Cron}|{schedule.TimeZone ?? "UTC"}" : $"{schedule.Pipeline}|interval|{schedule.Interval}", "model-retraining");
                if (capabilities.Of(schedule.Pipeline) is { } capability)
                {
                    t.WithExecutionGroup(capability);
                }

                if (schedule.Cron is { } cron)
                {
                    t.UsingJobData(RetrainingJob.KindKey, "cron").UsingJobData(RetrainingJob.ReasonKey, $"cron {cron}{(schedule.TimeZone is null ? string.Empty : $" ({schedule.TimeZone})")}");
                    if (RetrainingScheduleOptionsValidator.IsValidCron(cron))
                    {
                        // Missed firings (every node was down) are caught up once, not once each.
                        t.WithCronSchedule(cron, c =>
                        {
                            c.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed);
                            if (schedule.TimeZone is { } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var info))
                            {
                                c.InTimeZone(info);
                            }
                        });
                    }
                }
                else
                {
                    var every = schedule.Interval!.Value > TimeSpan.Zero ? schedule.Interval.Value : TimeSpan.FromDays(1);
                    t.UsingJobData(RetrainingJob.KindKey, "interval").UsingJobData(RetrainingJob.ReasonKey, $"every {every}")
                        .StartNow().WithSimpleSchedule(s => s.WithInterval(every).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount));
                }
            });
        });
        return builder;
    }

    internal static void EnsureScheduler(ModelRetrainingBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(SchedulingMarker)))
        {
            return;
        }

        builder.Services.AddSingleton<SchedulingMarker>();
        builder.Services.AddOptions<RetrainingScheduleOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetrainingScheduleOptions>, RetrainingScheduleOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddQuartz();

        // Before Quartz starts: unfinished runs resume first, and triggers that fire meanwhile coalesce.
        builder.Services.AddHostedService<UnfinishedRunsResumer>();
        builder.Services.AddHostedService<ApprovalExpiryScheduler>();
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        builder.Services.AddHostedService<CoordinatorShutdown>(); // after Quartz's, so it stops first
    }

    private sealed class SchedulingMarker;
}
