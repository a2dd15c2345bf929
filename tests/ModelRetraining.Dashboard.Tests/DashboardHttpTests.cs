using System.Net;

namespace ModelRetraining.Dashboard.Tests;

/// <summary>The dashboard's defaults over plain HTTP: loopback only, headers, antiforgery, bad input.</summary>
public sealed class DashboardHttpTests(DashboardHost host) : IClassFixture<DashboardHost>
{
    private HttpClient Client(string? user = null, string? forwardedFor = null)
    {
        var client = new HttpClient { BaseAddress = host.Root };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add("X-Test-User", user);
        }

        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }

        return client;
    }

    [Theory]
    [InlineData("")]
    [InlineData("approvals")]
    [InlineData("events")]
    [InlineData("models/flight-delays")]
    public async Task ARemoteRequest_IsRefusedByDefault_ForPagesTheStreamAndAssets(string path)
    {
        using var remote = Client(forwardedFor: "203.0.113.9");
        var response = await remote.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("local requests only", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALocalRequest_IsServed_WithASecurityPolicyWithoutInlineScript()
    {
        using var local = Client();
        var response = await local.GetAsync(new Uri("", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());

        var page = await response.Content.ReadAsStringAsync();
        var asset = System.Text.RegularExpressions.Regex.Match(page, "/ops/retraining/assets/(dashboard\\.[0-9a-f]{12}\\.css)").Groups[1].Value;
        var css = await local.GetAsync(new Uri($"assets/{asset}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Contains("immutable", css.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await local.GetAsync(new Uri("assets/dashboard.000000000000.css", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task APostWithoutTheAntiforgeryToken_IsRefused_AndNothingChanges()
    {
        using var bob = Client("bob");
        var response = await bob.PostAsync(new Uri("approvals/run-2/approve", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["comment"] = "looks fine" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("antiforgery token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Pending, (await host.Registry.GetService<IApprovalStore>()!.GetAsync("run-2"))!.Status);
        Assert.Equal(1, (await host.Registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);
    }

    [Theory]
    [InlineData("models/nope")]
    [InlineData("models/flight-delays/versions/99")]
    [InlineData("models/flight-delays/runs/no-such-run")]
    [InlineData("models/..%2F..%2Fetc/versions/1")]
    public async Task AnUnknownModelVersionOrRun_Is404_NamingIt(string path)
    {
        using var local = Client();
        var response = await local.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TheVersionPage_ShowsMetricsLineageAndTheGateDecision_AndTheRunItsJournal()
    {
        using var local = Client();
        var version = await (await local.GetAsync(new Uri("models/flight-delays/versions/1", UriKind.Relative))).Content.ReadAsStringAsync();
        var v1 = (await host.Registry.GetVersionAsync("flight-delays", 1))!;
        Assert.Contains(v1.Metrics["AUC"].Value.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture), version, StringComparison.Ordinal);
        Assert.Contains("training", version, StringComparison.Ordinal);
        Assert.Contains(v1.Datasets[0].Fingerprint, version, StringComparison.Ordinal);
        Assert.Contains("Gate decision", version, StringComparison.Ordinal);

        var run = await (await local.GetAsync(new Uri("models/flight-delays/runs/run-1", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.Contains("Training", run, StringComparison.Ordinal);
        Assert.Contains("Succeeded", run, StringComparison.Ordinal);

        var diff = await local.GetAsync(new Uri("models/flight-delays/diff?from=1&to=2", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, diff.StatusCode);
        Assert.Contains("AUC", await diff.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
