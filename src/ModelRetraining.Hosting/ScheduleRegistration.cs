namespace ModelRetraining.Hosting;

/// <summary>One schedule asked for by <c>AddCronTrigger</c> or <c>AddIntervalTrigger</c>, checked at host start.</summary>
internal sealed record ScheduleRegistration(string Pipeline, string? Cron, string? TimeZone, TimeSpan? Interval);
