using Microsoft.Playwright;
using ModelRetraining.Serving;

namespace ModelRetraining.Dashboard.Tests;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's <c>/usr/bin/chromium</c>, driven by Playwright; its own
/// browser download is never used), against the real host: assets under CSP and a nested path base in
/// Production, approvals through the page with the gateway's rules, encoding, and live updates.
/// </summary>
public sealed class DashboardBrowserTests(DashboardHost host) : IClassFixture<DashboardHost>, IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MR_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private async Task<(IPage Page, List<string> Errors)> OpenAsync(string user, string path, string roles = "")
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Test-User"] = user, ["X-Test-Roles"] = roles } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})"); // the location names the resource that failed
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(); // "Approve flight-delays v2?"
        await page.GotoAsync(new Uri(host.Root, path).ToString());
        return (page, errors);
    }

    [Fact]
    public async Task TheModelsPage_LoadsItsAssetsUnderThePolicy_InProduction_UnderANestedPathBase()
    {
        var (page, errors) = await OpenAsync("bob", "");
        await page.WaitForSelectorAsync("html[data-script='loaded']", new PageWaitForSelectorOptions { Timeout = 10_000 });
        // The class's tests share one host (in any order): the page must say what the registry says now.
        var champion = (await host.Registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version;
        var pending = await host.Registry.GetService<IApprovalStore>()!.ListOpenAsync().CountAsync(r => r.ModelName == "flight-delays");
        Assert.Equal($"v{champion}", await page.Locator("tr[data-model='flight-delays'] td.champion").InnerTextAsync());
        Assert.Equal($"{pending}", await page.Locator("tr[data-model='flight-delays'] td.pending").InnerTextAsync());
        Assert.Equal("14px", await page.EvaluateAsync<string>("getComputedStyle(document.body).fontSize"));   // the stylesheet applied
        await page.WaitForSelectorAsync("html[data-live='on']", new PageWaitForSelectorOptions { Timeout = 10_000 }); // the stream connected
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ApprovalsThroughThePage_HoldTheGatewaysRules_AndMoveTheChampion()
    {
        // The requester cannot approve their own candidate (four-eyes), through the page as in code.
        var (alice, _) = await OpenAsync("alice", "approvals");
        await alice.FillAsync("section[data-request='run-2'] form[action$='/approve'] textarea", "mine, ship it");
        await alice.ClickAsync("section[data-request='run-2'] button.approve");
        Assert.Contains("Not allowed", await alice.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await host.Registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);

        // Someone else approves, with a comment that carries markup: it is recorded, and shown inert.
        var (bob, errors) = await OpenAsync("bob", "approvals");
        const string comment = "<script>window.__owned = 1</script><b>checked</b> the June slice";
        await bob.FillAsync("section[data-request='run-2'] form[action$='/approve'] textarea", comment);
        await bob.ClickAsync("section[data-request='run-2'] button.approve");
        Assert.Contains("now the champion", await bob.Locator("div.message").InnerTextAsync(), StringComparison.Ordinal);
        // The answer to the post follows nothing live: its URL takes posts only, so refreshing it would fail.
        Assert.Equal(1, await bob.Locator("html[data-live='off']:not([data-stream])").CountAsync());
        Assert.Equal(2, (await host.Registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);

        await bob.GotoAsync(new Uri(host.Root, "models/flight-delays/versions/2").ToString());
        Assert.Contains(comment, await bob.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await bob.Locator("main b").CountAsync());
        Assert.Null(await bob.EvaluateAsync<int?>("window.__owned"));

        // A third candidate, rejected through the page: the champion stays.
        Assert.Equal(RetrainingRunStatus.AwaitingApproval, (await host.RunAsync("run-3", approval: true)).Status);
        var (carol, _) = await OpenAsync("carol", "approvals");
        await carol.FillAsync("section[data-request='run-3'] form[action$='/reject'] textarea", "holdout too short");
        await carol.ClickAsync("section[data-request='run-3'] button.reject");
        Assert.Contains("rejected", await carol.Locator("div.message").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Rejected, (await host.Registry.GetService<IApprovalStore>()!.GetAsync("run-3"))!.Status);
        Assert.Equal(2, (await host.Registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);

        // A rollback from code reaches an open page without a reload, over the live stream.
        var (watcher, _) = await OpenAsync("dave", "");
        await watcher.WaitForSelectorAsync("html[data-live='on']", new PageWaitForSelectorOptions { Timeout = 10_000 });
        await watcher.EvaluateAsync("window.__sameDocument = true");
        await host.Registry.RollbackAsync(new RollbackRequest("flight-delays", 2, "ops", "June slice regressed"));
        await watcher.Locator("tr[data-model='flight-delays'] td.champion").Filter(new LocatorFilterOptions { HasText = "v1" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.True(await watcher.EvaluateAsync<bool>("window.__sameDocument === true"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ARunsProgress_ReachesAHundredPercentOnThePage_WithoutAReload_AndItsChartsGainPoints()
    {
        var held = host.StartHeldRun("live-browser");
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (host.Monitor.Find("live-browser") is not { Stage: RetrainingStage.Training, Samples.Count: > 0 })
            {
                Assert.True(DateTime.UtcNow < deadline, "The held run did not reach training in time.");
                await Task.Delay(100);
            }

            var (page, errors) = await OpenAsync("bob", "models/flights-live/runs/live-browser");
            await page.WaitForSelectorAsync("html[data-script='loaded']", new PageWaitForSelectorOptions { Timeout = 10_000 });
            await page.EvaluateAsync("window.__sameDocument = true");
            var before = int.Parse((await page.GetAttributeAsync("#chart-cpu svg", "data-points"))!, System.Globalization.CultureInfo.InvariantCulture);

            // A sample a second while it trains: the charts gain points over the stream, nothing else changes meanwhile.
            // (Polled from here: the page's policy refuses the eval that Playwright's WaitForFunction needs.)
            await UntilAsync(async () => await PointsAsync(page, "cpu") > before + 1, TimeSpan.FromSeconds(20));
            await UntilAsync(async () => await PointsAsync(page, "memory") > before + 1, TimeSpan.FromSeconds(20));
            Assert.True(await page.Locator("#chart-gpu").IsHiddenAsync()); // no GPU on this machine: no chart rather than a flat zero
            if (Environment.GetEnvironmentVariable("MR_SCREENSHOTS") is { } folder)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "dashboard-live-run.png"), FullPage = false });
            }

            held.Release();
            await UntilAsync(async () => await page.EvaluateAsync<double>("document.getElementById('live-progress').value") == 100, TimeSpan.FromSeconds(90));
            await page.Locator("#live-summary").Filter(new LocatorFilterOptions { HasText = "Succeeded" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
            Assert.Contains("stage Evaluating completed", await page.Locator("#live-log").InnerTextAsync(), StringComparison.Ordinal); // the log tail grew
            Assert.True(await page.EvaluateAsync<bool>("window.__sameDocument === true"));
            Assert.Empty(errors);
        }
        finally
        {
            held.Release();
        }
    }

    [Fact]
    public async Task TheRolloutsView_ShowsARollbackAsItHappens_WithoutAReload()
    {
        var server = await host.StartCanaryAsync();
        try
        {
            var (page, errors) = await OpenAsync("dave", "rollouts", roles: "operator");
            await page.WaitForSelectorAsync("html[data-live='on']", new PageWaitForSelectorOptions { Timeout = 10_000 });
            await page.EvaluateAsync("window.__sameDocument = true");
            var status = page.Locator("section[data-model='flight-delays'] .rollout-status");
            Assert.Equal("Running", await status.InnerTextAsync());
            Assert.Equal(1, await page.Locator("section[data-model='flight-delays'] form[action$='/abort']").CountAsync());

            // The challenger answers wrong; the canary's own analysis rolls it back, and the open page follows.
            for (var i = 0; i < 20 && server.Rollout is { Status: RolloutStatus.Running }; i++)
            {
                DashboardHost.Traffic(server, 2_000, challengerWrong: true);
                await server.AnalyzeRolloutAsync();
            }

            await status.Filter(new LocatorFilterOptions { HasText = "RolledBack" }).WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            Assert.Contains("Failed", await page.Locator("section[data-model='flight-delays'] table.analyses").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(1, await page.Locator("#rollout-accuracy line.fail").CountAsync()); // the limit it failed against
            Assert.Equal(0, await page.Locator("section[data-model='flight-delays'] form[action$='/abort']").CountAsync()); // nothing left to abort
            Assert.True(await page.EvaluateAsync<bool>("window.__sameDocument === true"));
            Assert.Empty(errors);
            if (Environment.GetEnvironmentVariable("MR_SCREENSHOTS") is { } folder)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "dashboard-rollouts.png"), FullPage = false });
            }
        }
        finally
        {
            await host.StopServingAsync(server);
        }
    }

    private static async Task<int> PointsAsync(IPage page, string chart)
        => int.Parse((await page.GetAttributeAsync($"#chart-{chart} svg", "data-points"))!, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not seen on the page within {patience.TotalSeconds:0} s.");
            await Task.Delay(200);
        }
    }

    // With MR_SCREENSHOTS=<folder>, saves each view (docs/images/dashboard-*.png come from here).
    [Fact]
    public async Task EveryView_Renders_AndIsSavedWhenScreenshotsAreAsked()
    {
        var folder = Environment.GetEnvironmentVariable("MR_SCREENSHOTS");
        foreach (var (name, path) in new[] { ("models", ""), ("model", "models/flight-delays"), ("version", "models/flight-delays/versions/1"), ("approvals", "approvals"), ("run", "models/flight-delays/runs/run-1"), ("diff", "models/flight-delays/diff?from=1&to=2") })
        {
            var (page, errors) = await OpenAsync("bob", path, roles: "operator");
            await page.WaitForSelectorAsync("html[data-script='loaded']", new PageWaitForSelectorOptions { Timeout = 10_000 });
            Assert.Empty(errors);
            if (folder is not null)
            {
                await page.SetViewportSizeAsync(1200, 800);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"dashboard-{name}.png"), FullPage = false });
            }
        }
    }

    [Fact]
    public async Task RollbackIsHidden_FromAUserWithoutThePolicy_AndShownToAnOperator()
    {
        var (viewer, _) = await OpenAsync("erin", "models/flight-delays");
        Assert.Equal(0, await viewer.Locator("button.rollback").CountAsync());
        var (operatorPage, _) = await OpenAsync("frank", "models/flight-delays", roles: "operator");
        Assert.Equal(1, await operatorPage.Locator("button.rollback").CountAsync());
    }
}
