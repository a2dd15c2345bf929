using System.Net;
using DashboardExample;
using Microsoft.Data.Sqlite;

namespace ModelRetraining.Dashboard.Tests;

/// <summary>examples/Dashboard as its README runs it (on a free port): both models, a pending approval, every view with content.</summary>
public sealed class DashboardExampleTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-dashboard-example", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheExample_ShowsTwoTrainedModels_AndTheCandidateWaitingForApproval()
    {
        await using var host = await DashboardExampleHost.StartAsync(_folder, "http://127.0.0.1:0", retrainEvery: TimeSpan.FromHours(1), TextWriter.Null);
        using var http = new HttpClient { BaseAddress = host.Address };
        var models = await http.GetStringAsync(new Uri("", UriKind.Relative));
        Assert.Contains("data-model=\"flight-delays\"", models, StringComparison.Ordinal);
        Assert.Contains("data-model=\"house-prices\"", models, StringComparison.Ordinal);
        Assert.NotNull(await host.Registry.GetAliasAsync("house-prices", ModelAliases.Champion));
        Assert.True((await host.Registry.GetAliasAsync("house-prices", ModelAliases.Champion))!.Metrics["R2"].Value > 0.5);

        var approvals = await http.GetStringAsync(new Uri("approvals", UriKind.Relative));
        Assert.Contains("data-request=\"flights-candidate\"", approvals, StringComparison.Ordinal);
        Assert.Contains("Requested by data-team", approvals, StringComparison.Ordinal);
        Assert.Contains("button class=\"approve\"", approvals, StringComparison.Ordinal); // signed in as the machine's user
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("models/house-prices", UriKind.Relative))).StatusCode);
    }
}
