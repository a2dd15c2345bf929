using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;

namespace ModelRetraining.Hosting;

/// <summary>Stops the host at start when a schedule is wrong: a bad cron expression, an unknown time zone, a non-positive interval, or a pipeline that is not registered.</summary>
internal sealed class RetrainingScheduleOptionsValidator(IServiceProvider services) : IValidateOptions<RetrainingScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, RetrainingScheduleOptions options)
    {
        var errors = new List<string>();
        var pipelines = services.GetService<IServiceProviderIsKeyedService>();
        foreach (var schedule in options.Schedules)
        {
            var what = schedule.Cron is not null ? $"Cron trigger \"{schedule.Cron}\" for '{schedule.Pipeline}'" : $"Interval trigger every {schedule.Interval} for '{schedule.Pipeline}'";
            if (pipelines is null || !pipelines.IsKeyedService(typeof(RetrainingPipeline), schedule.Pipeline))
            {
                errors.Add($"{what}: no pipeline named '{schedule.Pipeline}' is registered (AddPipeline(\"{schedule.Pipeline}\", ...)).");
            }

            if (schedule.Cron is { } cron && !IsValidCron(cron))
            {
                errors.Add($"{what}: '{cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]).");
            }

            if (schedule.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                errors.Add($"{what}: the time zone '{zone}' does not exist on this machine.");
            }

            if (schedule.Interval is { } interval && interval <= TimeSpan.Zero)
            {
                errors.Add($"{what}: the interval must be positive.");
            }
        }

        if (options.JobStorePath is { } store && JobStoreProblem(store) is { } problem)
        {
            errors.Add($"UseSqliteJobStore(\"{store}\"): {problem}");
        }

        foreach (var check in options.Checks)
        {
            var what = $"{(check.Kind == DataCheckKind.Drift ? "Drift" : "New-data")} trigger for '{check.Pipeline}'";
            if (pipelines is null || !pipelines.IsKeyedService(typeof(RetrainingPipeline), check.Pipeline))
            {
                errors.Add($"{what}: no pipeline named '{check.Pipeline}' is registered (AddPipeline(\"{check.Pipeline}\", ...)).");
            }

            if (check.Every <= TimeSpan.Zero)
            {
                errors.Add($"{what}: the check interval must be positive; it is {check.Every}.");
            }

            if (check.MinNewShare is { } share && !(share > 0 && double.IsFinite(share)))
            {
                errors.Add($"{what}: the new-row share must be a positive number; it is {share}.");
            }

            if (check.Kind == DataCheckKind.NewRows && check.MinNewRows < 1)
            {
                errors.Add($"{what}: the new-row threshold must be 1 or more; it is {check.MinNewRows}.");
            }

            errors.AddRange((check.Drift?.Validate() ?? []).Select(e => $"{what}: {e}"));
        }

        foreach (var pipeline in options.PerformanceTriggers)
        {
            if (pipelines is null || !pipelines.IsKeyedService(typeof(RetrainingPipeline), pipeline))
            {
                errors.Add($"Performance trigger for '{pipeline}': no pipeline named '{pipeline}' is registered (AddPipeline(\"{pipeline}\", ...)).");
            }
        }

        foreach (var (pipeline, coordinator) in options.Coordinators)
        {
            errors.AddRange(coordinator.Validate().Select(e => $"Coordinator of '{pipeline}': {e}"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsValidCron(string cron)
    {
        try
        {
            _ = new CronExpression(cron);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // The folder must exist or be creatable, and the path must not be a folder; checked before Quartz opens it.
    private static string? JobStoreProblem(string path)
    {
        if (Directory.Exists(path))
        {
            return "the path is a folder; name the database file.";
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"its folder cannot be created: {ex.Message}";
        }
    }
}
