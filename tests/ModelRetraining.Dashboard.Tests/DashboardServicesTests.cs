using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelRetraining.Dashboard.Tests;

/// <summary>A dashboard configured only through the host's services (registry, run monitor, model servers), as a host that sets no options has it.</summary>
public sealed class DashboardServicesTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-dashboard-services", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private Uri _root = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddModelRetraining().UseEmbeddedRegistry(_folder);
        builder.Services.AddRetrainingDashboard();
        _app = builder.Build();
        _app.MapRetrainingDashboard("/retraining", o => o.ChangePollInterval = TimeSpan.FromMilliseconds(50));
        await _app.StartAsync();
        _root = new Uri($"{_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()}/retraining/");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task TheChangeFeed_OutlivesTheRequestThatMadeIt()
    {
        // The feed is made on the first request; later looks must not use that request's (disposed) services.
        using var client = new HttpClient { BaseAddress = _root };
        foreach (var path in new[] { "", "rollouts", "approvals", "" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
            await Task.Delay(120); // past the feed's interval: the next request looks again
        }

        Assert.Contains("No model server runs in this process", await client.GetStringAsync(new Uri("rollouts", UriKind.Relative)), StringComparison.Ordinal);
    }
}
