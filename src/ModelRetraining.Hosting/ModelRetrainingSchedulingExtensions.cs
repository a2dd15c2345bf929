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

    private static ModelRetrainingBuilder AddSchedule(ModelRetrainingBuilder builder, ScheduleRegistration schedule)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schedule.Pipeline);
        EnsureScheduler(builder);
        builder.Services.Configure<RetrainingScheduleOptions>(o => o.Schedules.Add(schedule));
        builder.Services.TryAddKeyedSingleton(schedule.Pipeline, (sp, _) => CoordinatorRegistration.Create(sp, schedule.Pipeline));
        builder.Services.AddQuartz(q =>
        {
            var job = new JobKey($"retrain-{schedule.Pipeline}", "model-retraining");
            q.AddJob<RetrainingJob>(j => j.WithIdentity(job).StoreDurably().UsingJobData(RetrainingJob.PipelineKey, schedule.Pipeline));
            q.AddTrigger(t =>
            {
                t.ForJob(job).WithIdentity(schedule.Cron is not null ? $"{schedule.Pipeline}|cron|{schedule.Cron}|{schedule.TimeZone ?? "UTC"}" : $"{schedule.Pipeline}|interval|{schedule.Interval}", "model-retraining");
                if (schedule.Cron is { } cron)
                {
                    t.UsingJobData(RetrainingJob.KindKey, "cron").UsingJobData(RetrainingJob.ReasonKey, $"cron {cron}{(schedule.TimeZone is null ? string.Empty : $" ({schedule.TimeZone})")}");
                    if (RetrainingScheduleOptionsValidator.IsValidCron(cron))
                    {
                        t.WithCronSchedule(cron, c =>
                        {
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
                        .StartNow().WithSimpleSchedule(s => s.WithInterval(every).RepeatForever());
                }
            });
        });
        return builder;
    }

    private static void EnsureScheduler(ModelRetrainingBuilder builder)
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
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }

    private sealed class SchedulingMarker;
}
