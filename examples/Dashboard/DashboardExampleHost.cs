using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRetraining.Dashboard;
using ModelRetraining.Hosting;
using ModelRetraining;
using QuickStart;

namespace DashboardExample;

/// <summary>
/// A web host with two models on one embedded registry, each with real content for every view: the
/// flight-delay model (champion v1, and v2 waiting for approval) and the house-price model (champion v1,
/// retrained every few minutes by a Quartz interval trigger on the next year of sales). The dashboard is at
/// <c>/retraining</c>, loopback only (no view policy), approvals by any signed-in user.
/// </summary>
public sealed class DashboardExampleHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardExampleHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IModelRegistry Registry => _app.Services.GetRequiredService<IModelRegistry>();

    public static async Task<DashboardExampleHost> StartAsync(string folder, string url, TimeSpan retrainEvery, TextWriter log)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(LocalUser.SchemeName).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, LocalUser>(LocalUser.SchemeName, null);
        builder.Services.AddRetrainingDashboard();
        builder.Services.AddModelRetraining()
            .UseEmbeddedRegistry(folder)
            .AddPipeline("house-prices", (b, _) => HouseSales.Configure(b, new DateTime(1994, 1, 1), new DateTime(1996, 1, 1)))
            .AddIntervalTrigger("house-prices", retrainEvery);
        var app = builder.Build();
        var registry = app.Services.GetRequiredService<IModelRegistry>();

        log.WriteLine("training the flight-delay model (January 2001) and a candidate that waits for approval ...");
        var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var (train, holdout) = (flights.Between(new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)), flights.Between(new DateTime(2001, 2, 1), new DateTime(2001, 2, 15)));
        await FlightDelays.Pipeline(registry, train, holdout).Build().RunAsync(new RetrainingRunOptions { Actor = "scheduler", RunId = "flights-initial" });
        await FlightDelays.Pipeline(registry, train, holdout).AddPromotionGate(g => g.RequireApproval()).Build()
            .RunAsync(new RetrainingRunOptions { Actor = "data-team", RunId = "flights-candidate", Reason = "February data arrived" });

        log.WriteLine("training the house-price model (sales of 1993) ...");
        await HouseSales.Configure(new RetrainingPipelineBuilder { ModelName = "house-prices", Actor = "scheduler" }, new DateTime(1993, 1, 1), new DateTime(1994, 1, 1))
            .UseRegistry(registry).Build().RunAsync(new RetrainingRunOptions { RunId = "houses-initial" });

        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRetrainingDashboard("/retraining");
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/retraining/");
        return new DashboardExampleHost(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(); // a retraining run under way is cancelled and awaited before the registry goes
        await _app.DisposeAsync();
    }
}
