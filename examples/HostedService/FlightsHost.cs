using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelRetraining;
using ModelRetraining.MLNet;
using QuickStart;

namespace HostedService;

/// <summary>The hosted service's wiring: one pipeline, a weekly cron trigger, a daily drift check, one clock.</summary>
public static class FlightsHost
{
    /// <summary>The pipeline's name in the host.</summary>
    public const string Pipeline = "flights";

    /// <summary>Builds the host.</summary>
    /// <param name="registryFolder">The embedded registry's folder.</param>
    /// <param name="clock">The clock for everything, Quartz included: <see cref="TimeProvider.System"/> in production, a fake one to replay months.</param>
    /// <param name="logging">Adds log providers.</param>
    /// <returns>The host, not started.</returns>
    public static IHost Build(string registryFolder, TimeProvider clock, Action<ILoggingBuilder>? logging = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        logging?.Invoke(builder.Logging);

        // <snippet:hosted>
        var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        builder.Services.AddSingleton(ModelRegistry.Embedded(registryFolder));
        builder.Services.AddModelRetraining()
            .AddPipeline(Pipeline, (p, _) => FlightDelays.Configure(
                p,
                training: new SlidingWindow(flights, from: 35, to: 7),       // four weeks of arrived data…
                holdout: new SlidingWindow(flights, from: 7, to: 0)))        // …and the latest week to judge on
            .UseTimeProvider(clock)                                          // Quartz fires on this clock too
            .AddCronTrigger(Pipeline, "0 0 2 ? * MON", "UTC")                // every Monday 02:00 UTC
            .AddDriftTrigger(                                                // daily: last week vs the champion's training profile
                Pipeline,
                _ => new SlidingWindow(flights, from: 7, to: 0),
                every: TimeSpan.FromDays(1),
                new DriftOptions { DriftShare = 0.25 })                      // 2 of the 6 columns (delay and Late move together)
            .ConfigureCoordinator(Pipeline, o => o.Cooldown = TimeSpan.FromDays(3));
        // </snippet:hosted>
        return builder.Build();
    }
}
