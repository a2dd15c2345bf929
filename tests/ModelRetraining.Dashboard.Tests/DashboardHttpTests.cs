using System.Net;
using ModelRetraining.Serving;

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
    [InlineData("models/no-such-model")]
    [InlineData("assets/dashboard.000000000000.css")]
    public async Task ARemoteRequest_IsRefusedByDefault_ForPagesTheStreamAndAssets(string path)
    {
        using var remote = Client(forwardedFor: "203.0.113.9");
        var response = await remote.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("local requests only", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARemotePost_IsRefusedByDefault_BeforeAnythingIsRead()
    {
        using var remote = Client("bob", forwardedFor: "203.0.113.9");
        var response = await remote.PostAsync(new Uri("approvals/run-2/approve", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["comment"] = "from afar" }));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ALoopbackRequestNamingAnotherHost_IsRefused_AsADnsRebindingPageWouldBe()
    {
        using var local = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("", UriKind.Relative));
        request.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await local.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task WithAViewPolicy_TheHostsAuthorizationDecides_ChallengingTheSignedOut()
    {
        var secured = new Uri(host.Root, "/ops/secured/");
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(secured)).StatusCode);
        using var viewer = new HttpClient();
        viewer.DefaultRequestHeaders.Add("X-Test-User", "erin");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(secured)).StatusCode);
        using var remoteOperator = new HttpClient();
        remoteOperator.DefaultRequestHeaders.Add("X-Test-User", "frank");
        remoteOperator.DefaultRequestHeaders.Add("X-Test-Roles", "operator");
        remoteOperator.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");   // a named policy opens it to the network
        Assert.Equal(HttpStatusCode.OK, (await remoteOperator.GetAsync(secured)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await remoteOperator.GetAsync(new Uri(secured, "events"), HttpCompletionOption.ResponseHeadersRead)).StatusCode);
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

    // A signed-in browser's session: the page's antiforgery token and its cookie, as a form post carries them.
    private async Task<(HttpClient Client, string Token)> SessionAsync(string user, string page, string roles = "")
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.Root };
        client.DefaultRequestHeaders.Add("X-Test-User", user);
        client.DefaultRequestHeaders.Add("X-Test-Roles", roles);
        var html = await client.GetStringAsync(new Uri(page, UriKind.Relative));
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        return (client, token);
    }

    private static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] fields)
        => new([new("__RequestVerificationToken", token), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);

    [Fact]
    public async Task ApprovingTwiceByOnePerson_IsAConflict_AndTheQuorumStillWaits()
    {
        var (bob, token) = await SessionAsync("bob", "approvals");
        var first = await bob.PostAsync(new Uri("approvals/solo-quorum/approve", UriKind.Relative), Form(token, ("comment", "fine")));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("1 of 2 approvals", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var again = await bob.PostAsync(new Uri("approvals/solo-quorum/approve", UriKind.Relative), Form(token, ("comment", "still fine")));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(1, (await host.Registry.GetAliasAsync("solo", ModelAliases.Champion))!.Version);
    }

    [Fact]
    public async Task ApprovingAfterTheDeadline_IsAConflict_NamingIt()
    {
        var (bob, token) = await SessionAsync("bob", "approvals");
        var response = await bob.PostAsync(new Uri("approvals/solo-late/approve", UriKind.Relative), Form(token, ("comment", "late")));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("already expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await host.Registry.GetAliasAsync("solo", ModelAliases.Champion))!.Version);
    }

    [Fact]
    public async Task ACommentOf100KB_IsRefusedWithTheLimit_AndAMissingOneToo()
    {
        var (bob, token) = await SessionAsync("bob", "approvals");
        var huge = await bob.PostAsync(new Uri("approvals/solo-quorum/reject", UriKind.Relative), Form(token, ("comment", new string('x', 100_000))));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("at most 2000", await huge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var empty = await bob.PostAsync(new Uri("approvals/solo-quorum/reject", UriKind.Relative), Form(token, ("comment", "  ")));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(ApprovalStatus.Pending, (await host.Registry.GetService<IApprovalStore>()!.GetAsync("solo-quorum"))!.Status);
    }

    [Fact]
    public async Task AnApprovalWithoutSigningIn_Is401_AndAnUnknownRequest404()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.Root };
        var html = await anonymous.GetStringAsync(new Uri("approvals", UriKind.Relative));
        Assert.DoesNotContain("button class=\"approve\"", html, StringComparison.Ordinal); // no actions shown to who may not act
        var (bob, token) = await SessionAsync("bob", "approvals");
        var unknown = await bob.PostAsync(new Uri("approvals/no-such-request/approve", UriKind.Relative), Form(token, ("comment", "?")));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ARollbackWithNoPreviousChampion_IsRefusedClearly_AndWithoutThePolicy403()
    {
        var (frank, token) = await SessionAsync("frank", "models/solo", roles: "operator");
        var response = await frank.PostAsync(new Uri("models/solo/rollback", UriKind.Relative), Form(token, ("reason", "try"), ("expected", "1")));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(1, (await host.Registry.GetAliasAsync("solo", ModelAliases.Champion))!.Version);

        var (erin, erinToken) = await SessionAsync("erin", "approvals");
        var refused = await erin.PostAsync(new Uri("models/solo/rollback", UriKind.Relative), Form(erinToken, ("reason", "try"), ("expected", "1")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    // The first event of a stream: its id (the state's hash) and its data.
    private async Task<(string Id, string Data)> FirstEventAsync(string? lastEventId)
    {
        using var local = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("events", UriKind.Relative));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await local.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        string? id = null, data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line && (id is null || data is null || line.Length > 0))
        {
            id = line.StartsWith("id: ", StringComparison.Ordinal) ? line[4..] : id;
            data = line.StartsWith("data: ", StringComparison.Ordinal) ? line[6..] : data;
        }

        return (id!, data!);
    }

    [Fact]
    public async Task TheInbox_ShowsEachCandidatesRollbackReadiness_AsTheRunCheckedIt()
    {
        // A journal entry written by hand, not JSON: the inbox still renders, that check shown as not made.
        await host.Registry.GetService<IRunJournal>()!.AppendAsync(new RunJournalEntry("solo-quorum", "solo", RetrainingStage.AwaitingApproval, RunJournalStatus.AwaitingApproval, DateTimeOffset.UtcNow) { Outputs = "{not json" });
        using var local = Client();
        var html = WebUtility.HtmlDecode(await local.GetStringAsync(new Uri("approvals", UriKind.Relative)));

        // run-2 asked for approval against v1: its run read v1 back, verified its hash and rescored the holdout sample.
        var run2 = System.Text.RegularExpressions.Regex.Match(html, "data-readiness=\"run-2\">(.*?)</ul>").Groups[1].Value;
        Assert.Contains("✓ v1 (the rollback target) read back from the registry, SHA-256 verified", run2, StringComparison.Ordinal);
        Assert.Contains("✓ v1 loaded and scored 256 holdout rows exactly as in this run's evaluation", run2, StringComparison.Ordinal);

        // A request opened in code has no such record: the page says so rather than showing a tick.
        var solo = System.Text.RegularExpressions.Regex.Match(html, "data-readiness=\"solo-quorum\">(.*?)</ul>").Groups[1].Value;
        Assert.Contains("was not checked when the request was opened", solo, StringComparison.Ordinal);
        Assert.DoesNotContain("✓", solo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRolloutsView_ShowsTheCanaryAgainstItsLimits_AndOnlyOperatorsPauseResumeAndAbortIt()
    {
        var server = await host.StartCanaryAsync();
        try
        {
            using var anonymous = Client();
            var html = await anonymous.GetStringAsync(new Uri("rollouts", UriKind.Relative));
            var text = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", string.Empty));
            Assert.True(text.Contains("Canary v1 → v2 · Running · step 1 of 4 · 5 % of traffic to the challenger", StringComparison.Ordinal), text);
            Assert.DoesNotContain("/rollouts/flight-delays/pause", html, StringComparison.Ordinal); // no actions for who may not act

            var (frank, token) = await SessionAsync("frank", "rollouts", roles: "operator");
            var forged = await frank.PostAsync(new Uri("rollouts/flight-delays/pause", UriKind.Relative), new FormUrlEncodedContent([new("comment", "no token")]));
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            var (bob, bobsToken) = await SessionAsync("bob", "approvals"); // a token of his own, from a page where he may act
            Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync(new Uri("rollouts/flight-delays/pause", UriKind.Relative), Form(bobsToken, ("comment", "not mine to pause")))).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await frank.PostAsync(new Uri("rollouts/flight-delays/abort", UriKind.Relative), Form(token, ("comment", " ")))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await frank.PostAsync(new Uri("rollouts/no-such-model/pause", UriKind.Relative), Form(token, ("comment", "?")))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await frank.PostAsync(new Uri("rollouts/flight-delays/explode", UriKind.Relative), Form(token, ("comment", "?")))).StatusCode);
            Assert.Equal(RolloutStatus.Running, server.Rollout!.Status); // nothing refused changed anything

            var paused = await frank.PostAsync(new Uri("rollouts/flight-delays/pause", UriKind.Relative), Form(token, ("comment", "<i>hold</i> for the release freeze")));
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
            Assert.Equal(RolloutStatus.Paused, server.Rollout!.Status);
            Assert.Contains("paused by frank at step 1: <i>hold</i> for the release freeze", server.Rollout.LastChange, StringComparison.Ordinal);
            Assert.Contains("&lt;i&gt;hold&lt;/i&gt;", await anonymous.GetStringAsync(new Uri("rollouts", UriKind.Relative)), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Conflict, (await frank.PostAsync(new Uri("rollouts/flight-delays/pause", UriKind.Relative), Form(token, ("comment", "again")))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await frank.PostAsync(new Uri("rollouts/flight-delays/resume", UriKind.Relative), Form(token))).StatusCode);
            Assert.Equal(RolloutStatus.Running, server.Rollout!.Status);

            // The challenger answers wrong: the canary rolls back on its own, and the view shows why, against the limits.
            for (var i = 0; i < 20 && server.Rollout is { Status: RolloutStatus.Running }; i++)
            {
                DashboardHost.Traffic(server, 2_000, challengerWrong: true);
                await server.AnalyzeRolloutAsync();
            }

            Assert.Null(server.Rollout);
            html = await anonymous.GetStringAsync(new Uri("rollouts", UriKind.Relative));
            Assert.Contains("Last rollout: ", html, StringComparison.Ordinal);
            Assert.Contains("status-RolledBack", html, StringComparison.Ordinal);
            Assert.Contains("<td>Failed</td>", html, StringComparison.Ordinal);
            Assert.Contains("id=\"rollout-accuracy\"", html, StringComparison.Ordinal);
            Assert.Contains("<line class=\"fail\"", html, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Conflict, (await frank.PostAsync(new Uri("rollouts/flight-delays/abort", UriKind.Relative), Form(token, ("comment", "too late")))).StatusCode);
            Assert.Equal(1, (await host.Registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);
        }
        finally
        {
            await host.StopServingAsync(server);
        }
    }

    [Fact]
    public async Task TheLiveStream_ResumesFromLastEventId_TellingAReturningPageWhetherItMissedAChange()
    {
        var (id, _) = await FirstEventAsync(null);
        Assert.Matches("^[0-9a-f]{16}$", id);
        var (sameId, unchanged) = await FirstEventAsync(id);
        Assert.Equal(id, sameId);
        Assert.Equal("changed", unchanged);             // the page already shows this state: nothing to fetch
        var (_, missed) = await FirstEventAsync("0000000000000000");
        Assert.Equal("changed-while-away", missed);     // it saw an older state: it fetches at once
    }

    [Fact]
    public async Task StreamClientsThatNeverRead_HoldOnlyTheirOwnConnections_AndOthersAreStillServed()
    {
        // Thirty raw connections ask for the stream and never read a byte: each holds its own socket, and
        // a page and a fresh stream are still served at once.
        var sockets = new List<System.Net.Sockets.TcpClient>();
        try
        {
            for (var i = 0; i < 30; i++)
            {
                var socket = new System.Net.Sockets.TcpClient();
                await socket.ConnectAsync(host.Root.Host, host.Root.Port);
                var request = System.Text.Encoding.ASCII.GetBytes($"GET {host.Root.AbsolutePath}events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
                await socket.GetStream().WriteAsync(request);
                socket.ReceiveBufferSize = 1024;
                sockets.Add(socket);
            }

            using var local = Client();
            Assert.Equal(HttpStatusCode.OK, (await local.GetAsync(new Uri("", UriKind.Relative))).StatusCode);
            var (id, _) = await FirstEventAsync(null);
            Assert.Matches("^[0-9a-f]{16}$", id);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
