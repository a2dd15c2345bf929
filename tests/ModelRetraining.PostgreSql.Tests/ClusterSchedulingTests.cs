using Microsoft.Extensions.DependencyInjection;
using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>
/// Real processes (ModelRetraining.ClusterNode) sharing one PostgreSQL database as a Quartz.NET cluster: a model
/// never trains on two nodes at once, a pipeline that requires a capability runs only where a node declares it
/// and waits while none is alive, and the survivors go on when a node is killed.
/// </summary>
public sealed class ClusterSchedulingTests(Xunit.Abstractions.ITestOutputHelper output) : PostgresDatabaseTests
{
    [Fact]
    public async Task TwentyModelsOnCronAcrossThreeNodes_EveryFiringRunsExactlyOnce_SpreadOverTheNodes()
    {
        var registry = Open("cluster");
        var nodes = new List<ClusterNodeProcess>();
        try
        {
            foreach (var node in new[] { "node-a", "node-b", "node-c" })
            {
                nodes.Add(await ClusterNodeProcess.StartAsync(Database, node, "-", intervalMs: 3_600_000, trainMs: 100, cronModels: 20));
            }

            await Task.Delay(TimeSpan.FromSeconds(20)); // ten firings a model, two seconds apart
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }

        var split = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i <= 20; i++)
        {
            var model = $"m{i:00}";
            var firings = new List<(string At, string RunId, RunJournalStatus Status)>();
            foreach (var run in await ConformanceData.ToListAsync(registry.ListRunsAsync(model)))
            {
                // A run the host's stop cancelled before it started has no Started entry (and ran nothing).
                var started = (await ConformanceData.ToListAsync(registry.ReadRunAsync(run.RunId))).FirstOrDefault(e => e.Status == RunJournalStatus.Started);
                firings.AddRange(System.Text.RegularExpressions.Regex.Matches(started?.Outputs ?? string.Empty, "\"scheduledFor\"\\s*:\\s*\"([^\"]+)\"").Select(m => (m.Groups[1].Value, run.RunId, run.Status)));
            }

            // A firing starts one run at most, even when the job store hands it to two nodes (one it took for
            // dead while it was only slow, as a loaded machine makes it): its run id is the firing's.
            var completed = firings.Where(f => f.Status != RunJournalStatus.Cancelled).ToList();
            Assert.True(completed.Count >= 5, $"{model}: only {completed.Count} firings ran in 20 s");
            var twice = firings.GroupBy(f => f.At, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
            Assert.True(twice.Count == 0, $"{model}: firings ran twice: {string.Join("; ", twice.Select(g => $"{g.Key} by {string.Join(", ", g.Select(f => $"{f.RunId} {f.Status}"))}"))}");
            foreach (var version in await Versions(registry, model))
            {
                split[version.CreatedBy] = split.GetValueOrDefault(version.CreatedBy) + 1;
            }
        }

        output.WriteLine($"runs per node: {string.Join(", ", split.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))}");
        Assert.True(split.Count >= 2, $"every run ran on one node: {string.Join(", ", split.Keys)}");
    }

    [Fact]
    public async Task TwoNodes_AModelNeverTrainsOnTwoNodesAtOnce_AndTheGpuPipelineRunsOnlyOnTheGpuNode()
    {
        var registry = Open("cluster");
        await using (var a = await ClusterNodeProcess.StartAsync(Database, "node-a", "-", intervalMs: 1000, trainMs: 1500))
        await using (var b = await ClusterNodeProcess.StartAsync(Database, "node-b", "gpu", intervalMs: 1000, trainMs: 1500))
        {
            await WaitForAsync(async () => (await Versions(registry, "churn")).Count >= 4 && (await Versions(registry, "vision")).Count >= 2, "four churn and two vision versions", a, b);
        }

        var runs = await ConformanceData.ToListAsync(registry.ListRunsAsync("churn"));
        Assert.True(runs.Count >= 4);
        var ordered = runs.OrderBy(r => r.StartedAt).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.True(ordered[i].StartedAt >= ordered[i - 1].UpdatedAt, $"run {ordered[i].RunId} started at {ordered[i].StartedAt:O} while {ordered[i - 1].RunId} ran until {ordered[i - 1].UpdatedAt:O}");
        }

        Assert.All(await Versions(registry, "vision"), v => Assert.Equal("node-b", v.CreatedBy));
    }

    [Fact]
    public async Task ANodeKilled_TheOthersGoOn_AndItsCapabilityWaitsUntilANodeThatHasItJoins()
    {
        var registry = Open("cluster");
        await using var a = await ClusterNodeProcess.StartAsync(Database, "node-a", "-", intervalMs: 1000, trainMs: 200);
        var b = await ClusterNodeProcess.StartAsync(Database, "node-b", "gpu", intervalMs: 1000, trainMs: 200);
        await WaitForAsync(async () => (await Versions(registry, "vision")).Count >= 1, "a vision version from node-b", a, b);

        b.Kill();
        await b.DisposeAsync();
        var churnAtKill = (await Versions(registry, "churn")).Count;
        var visionAtKill = (await Versions(registry, "vision")).Count;
        await WaitForAsync(async () => (await Versions(registry, "churn")).Count >= churnAtKill + 3, "node-a going on with churn after node-b died", a);
        Assert.Equal(visionAtKill, (await Versions(registry, "vision")).Count); // no live node serves "gpu": vision waits

        await using var c = await ClusterNodeProcess.StartAsync(Database, "node-c", "gpu", intervalMs: 1000, trainMs: 200);
        await WaitForAsync(async () => (await Versions(registry, "vision")).Any(v => v.CreatedBy == "node-c"), "a vision version from node-c", a, c);
        Assert.DoesNotContain(await Versions(registry, "vision"), v => v.CreatedBy == "node-a");
    }

    [Fact]
    public async Task ANodeFrozenMidTraining_IsTakenOverByAnotherMachineAfterItsLease_AndWritesNothingWhenItWakes()
    {
        var registry = Open("cluster");
        // Two machines (a UTS namespace each): a frozen process on another machine cannot be seen, only its lease.
        await using var a = await ClusterNodeProcess.StartAsync(Database, "node-a", "-", intervalMs: 3_600_000, trainMs: 60_000, machine: "machine-a", leaseMs: 4000);
        RunSummary? running = null;
        await WaitForAsync(async () => (running = (await ConformanceData.ToListAsync(registry.ListRunsAsync("churn"))).FirstOrDefault(r => r.Stage == RetrainingStage.Validating && r.Status == RunJournalStatus.Completed)) is not null, "node-a training churn (validated, training next)", a);
        a.Signal("STOP");
        await Task.Delay(TimeSpan.FromSeconds(5)); // past node-a's 4 s lease: its claim is stale

        // node-b resumes the run at its start; should a loaded machine make it give its own attempt up, its sweep takes the run again.
        await using var b = await ClusterNodeProcess.StartAsync(Database, "node-b", "-", intervalMs: 3_600_000, trainMs: 500, machine: "machine-b", leaseMs: 4000, sweepMs: 500);
        await WaitForAsync(async () => (await ConformanceData.ToListAsync(registry.ListRunsAsync("churn"))).Single(r => r.RunId == running!.RunId).Status == RunJournalStatus.Succeeded, "node-b finishing node-a's run", a, b);
        var claim = await registry.GetClaimAsync(running!.RunId);
        Assert.True(claim!.Attempt >= 2, $"attempt {claim.Attempt}"); // 2, or later where node-b gave its own attempt up on a loaded machine and took the run again
        Assert.StartsWith("machine-b pid ", claim.Holder, StringComparison.Ordinal);

        // node-a wakes mid-training: its next renewal finds the run taken over, or (on a loaded machine) cannot
        // renew in time after so long a freeze; either way it stops without writing.
        a.Signal("CONT");
        await WaitForAsync(() => Task.FromResult(a.Errors.Contains("taken over by machine-b", StringComparison.Ordinal) || a.Errors.Contains("stopped without writing", StringComparison.Ordinal)), "node-a stopping its attempt", a);
        var entries = await ConformanceData.ToListAsync(registry.ReadRunAsync(running.RunId));
        Assert.Single(entries, e => e.Status == RunJournalStatus.Succeeded);
        Assert.DoesNotContain(entries, e => e.Status is RunJournalStatus.Failed or RunJournalStatus.Cancelled);
        Assert.Single(await Versions(registry, "churn"), v => v.RunId == running.RunId);
    }

    [Fact]
    public async Task ANodeKilledMidTraining_ALiveNodeOnAnotherMachineResumesItsRunFromTheJournal_OneVersion()
    {
        var registry = Open("cluster");
        var a = await ClusterNodeProcess.StartAsync(Database, "node-a", "-", intervalMs: 3_600_000, trainMs: 60_000, machine: "machine-a", leaseMs: 4000, sweepMs: 500);
        RunSummary? running = null;
        await WaitForAsync(async () => (running = (await ConformanceData.ToListAsync(registry.ListRunsAsync("churn"))).FirstOrDefault(r => r.Stage == RetrainingStage.Validating && r.Status == RunJournalStatus.Completed)) is not null, "node-a training churn (validated, training next)", a);
        await using var b = await ClusterNodeProcess.StartAsync(Database, "node-b", "-", intervalMs: 3_600_000, trainMs: 300, machine: "machine-b", leaseMs: 4000, sweepMs: 500);

        a.Kill(); // mid-training; node-b keeps running and is not restarted
        await a.DisposeAsync();
        await WaitForAsync(async () => (await ConformanceData.ToListAsync(registry.ListRunsAsync("churn"))).Single(r => r.RunId == running!.RunId).Status == RunJournalStatus.Succeeded, "node-b resuming node-a's run", b);

        var claim = await registry.GetClaimAsync(running!.RunId);
        Assert.True(claim!.Attempt >= 2, $"attempt {claim.Attempt}"); // 2, or later where node-b gave its own attempt up on a loaded machine and took the run again
        Assert.StartsWith("machine-b pid ", claim.Holder, StringComparison.Ordinal);
        Assert.Single(await Versions(registry, "churn"), v => v.RunId == running.RunId);
        var entries = await ConformanceData.ToListAsync(registry.ReadRunAsync(running.RunId));
        Assert.Contains(entries, e => e.Status == RunJournalStatus.Resumed);
    }

    [Fact]
    public async Task ANodeStartingWhileAnotherMachineTrains_LeavesThatRunAlone_ItsLeaseIsRenewed()
    {
        var registry = Open("cluster");
        // An 8 s lease: renewals every 2 s, each given 2 s, so that a loaded test machine does not make node-a
        // give its own run up (the frozen-node test covers a lease that runs out).
        await using var a = await ClusterNodeProcess.StartAsync(Database, "node-a", "-", intervalMs: 3_600_000, trainMs: 16_000, machine: "machine-a", leaseMs: 8000);
        RunSummary? running = null;
        await WaitForAsync(async () => (running = (await ConformanceData.ToListAsync(registry.ListRunsAsync("churn"))).FirstOrDefault(r => r.Stage == RetrainingStage.Validating && r.Status == RunJournalStatus.Completed)) is not null, "node-a training churn (validated, training next)", a);
        await Task.Delay(TimeSpan.FromSeconds(9)); // longer than the lease: only renewals keep the claim fresh

        await using var b = await ClusterNodeProcess.StartAsync(Database, "node-b", "-", intervalMs: 3_600_000, trainMs: 500, machine: "machine-b", leaseMs: 8000);
        await WaitForAsync(async () => (await ConformanceData.ToListAsync(registry.ListRunsAsync("churn"))).Single(r => r.RunId == running!.RunId).Status == RunJournalStatus.Succeeded, "node-a finishing its run", a, b);

        var claim = await registry.GetClaimAsync(running!.RunId);
        Assert.Equal(1, claim!.Attempt);
        Assert.StartsWith("machine-a pid ", claim.Holder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobStoreUnreachable_TheHostDoesNotStart_AndSaysWhy_WithinBoundedTime()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var nowhere = new Npgsql.NpgsqlConnectionStringBuilder(Database) { Port = port, Timeout = 2 }.ToString();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IModelRegistry>(new ModelRetraining.Testing.InMemoryModelRegistry());
        builder.Services.AddModelRetraining()
            .AddPipeline("churn", (p, _) => p
                .UseTrainingData(new ModelRetraining.Testing.FakeDataSource("train", (_, _) => throw new InvalidOperationException("never read")))
                .UseHoldoutData(new ModelRetraining.Testing.FakeDataSource("holdout", (_, _) => throw new InvalidOperationException("never read")))
                .UseTrainer(new ModelRetraining.Testing.FakeTrainer())
                .UseEvaluator(new ModelRetraining.Testing.FakeEvaluator())
                .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5)))
            .AddIntervalTrigger("churn", TimeSpan.FromHours(1))
            .UsePostgreSqlJobStore(nowhere);
        using var host = builder.Build();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(bound.Token));

        Assert.False(bound.IsCancellationRequested, "host start hung instead of failing");
        Assert.False(error is Microsoft.Extensions.Options.OptionsValidationException, error.Message);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<List<ModelVersion>> Versions(PostgreSqlModelRegistry registry, string model)
        => await ConformanceData.ToListAsync(registry.ListVersionsAsync(model));

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, params ClusterNodeProcess[] nodes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited 90 s for {what}; the nodes said: {string.Join(" | ", nodes.Select(n => n.Errors))}");
            await Task.Delay(200);
        }
    }
}
