using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRetraining.MLNet;
using ModelRetraining.Testing;
using static ModelRetraining.Serving.Tests.ModelServerTests;

namespace ModelRetraining.Serving.Tests;

/// <summary>
/// Rollouts on real ML.NET models (v1 answers about 1, v2 about 2): canaries that step, roll back, pause
/// and promote; A/B splits that stick per key and a sequential test that decides; shadows that never touch
/// the caller; a one-call rollback that is audited and reversible; and every bad input refused by name.
/// Outcomes are drawn per arm with a known accuracy from seeded generators.
/// </summary>
public sealed class RolloutTests : IAsyncDisposable
{
    // Where latency is not what a test is about: test hosts share 2 cores, and a noisy p99 must not decide it.
    private static readonly TimeSpan NotJudged = TimeSpan.FromSeconds(10);

    private ModelServer<Row, Output>? _server;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<(InMemoryModelRegistry Registry, ModelServer<Row, Output> Server)> ServeAsync(Func<ModelVersion, IServedModel<Row, Output>, IServedModel<Row, Output>>? decorate = null, ILogger? logger = null)
    {
        var registry = await RegistryAsync(1, 2);
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        _server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) }, logger: logger)
        {
            PredictorDecorator = decorate,
            IsCorrect = (output, actual) => Math.Abs(output.Score - actual) < 0.5,
        };
        await _server.StartAsync();
        return (registry, _server);
    }

    // Predicts `requests` times (keys from `keys`) and records an outcome per answer: right with the arm's accuracy.
    private static void Traffic(ModelServer<Row, Output> server, int requests, double championAccuracy, double challengerAccuracy, Random random, Func<int, string?>? keys = null)
    {
        for (var i = 0; i < requests; i++)
        {
            var prediction = server.Predict(new Row { X = (float)random.NextDouble() }, keys?.Invoke(i));
            server.RecordOutcome(prediction.Id, random.NextDouble() < (prediction.FromChallenger ? challengerAccuracy : championAccuracy));
        }
    }

    private static async Task<List<AuditEvent>> AuditAsync(IModelRegistry registry)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in registry.GetAuditEventsAsync("delays"))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task HealthyCanary_Steps5_25_50_100_ThenPromotes_AuditedAndServed()
    {
        var (registry, server) = await ServeAsync();
        var changes = new List<RolloutEventArgs>();
        server.RolloutChanged += (_, e) => changes.Add(e);
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 400, AccuracyTolerance = 0.05, Actor = "release-bot", MinLatencyIncrease = NotJudged });
        var random = new Random(11);

        var shares = new List<double>();
        for (var round = 0; round < 200 && server.Rollout is { Status: RolloutStatus.Running }; round++)
        {
            Traffic(server, 2_000, championAccuracy: 0.80, challengerAccuracy: 0.85, random);
            if ((await server.AnalyzeRolloutAsync()).Outcome == AnalysisOutcome.Successful)
            {
                shares.Add(changes[^1].Analysis!.ChallengerShare);
            }
        }

        Assert.True(shares.Count == 4 && shares.SequenceEqual([0.05, 0.25, 0.50, 1.0]), string.Join(" | ", server.Rollout?.Analyses.Select(a => a.ToString()) ?? changes.Select(c => c.State.LastChange!)));
        Assert.Equal(RolloutStatus.Promoted, changes[^1].State.Status);
        Assert.Null(server.Rollout);
        Assert.Equal(2, (await registry.GetAliasAsync("delays", ModelAliases.Champion))!.Version);
        Assert.Equal(2, server.Current!.Version);
        Assert.Equal(2, server.Predict(new Row { X = 0.5f }).Version);
        var audit = await AuditAsync(registry);
        Assert.Contains(audit, e => e.Action == "alias.moved" && e.From == "v1" && e.To == "v2" && e.Actor == "release-bot" && e.Reason!.Contains("canary passed 4 steps", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Action == "tag.set" && e.Subject == "v2:rollout" && e.To!.StartsWith("promoted by release-bot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APersonsPause_HoldsTheCanaryAtItsStep_EvenWhenItsAnalysisFails_UntilResumed()
    {
        var (registry, server) = await ServeAsync();
        IRolloutControl control = server;
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 200, Actor = "release-bot", MinLatencyIncrease = NotJudged });
        Assert.Equal(200, control.RolloutOptions!.MinOutcomes);
        Assert.Equal("delays", control.ModelName);
        Assert.Equal(1, control.ServedVersion);

        var paused = control.PauseRollout("erin", "release freeze");
        Assert.Equal(RolloutStatus.Paused, paused.Status);
        Assert.Contains("paused by erin at step 1: release freeze", paused.LastChange, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => control.PauseRollout("erin", "twice"));

        // A challenger that is plainly worse: the analysis says Failed, but a paused rollout only reports.
        var random = new Random(3);
        for (var i = 0; i < 5; i++)
        {
            Traffic(server, 4_000, championAccuracy: 0.9, challengerAccuracy: 0.3, random);
            await server.AnalyzeRolloutAsync();
        }

        Assert.Equal(RolloutStatus.Paused, server.Rollout!.Status);
        Assert.Equal(AnalysisOutcome.Failed, server.Rollout.Analyses[^1].Outcome);
        Assert.Equal(1, (await registry.GetAliasAsync("delays", ModelAliases.Champion))!.Version);

        Assert.Equal(RolloutStatus.Running, control.ResumeRollout("erin").Status);
        Traffic(server, 4_000, championAccuracy: 0.9, challengerAccuracy: 0.3, random);
        await server.AnalyzeRolloutAsync();
        Assert.Null(server.Rollout);
        Assert.Equal(RolloutStatus.RolledBack, control.LastRollout!.Status);
        Assert.Throws<InvalidOperationException>(() => control.PauseRollout("erin", "nothing runs"));
    }

    [Fact]
    public async Task EachArmsFigures_AreObservedByTheServingMeter_WhileTheRolloutRuns()
    {
        var (_, server) = await ServeAsync();
        var seen = new List<(string Instrument, double Value, string Model, string Arm, int Version)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ModelRetraining.Serving" && instrument.Name.StartsWith("modelretraining.serving.rollout.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Keep(System.Diagnostics.Metrics.Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string model = "", arm = "";
            var version = 0;
            foreach (var tag in tags)
            {
                (model, arm, version) = tag.Key switch
                {
                    "model" => ((string)tag.Value!, arm, version),
                    "arm" => (model, (string)tag.Value!, version),
                    "version" => (model, arm, (int)tag.Value!),
                    _ => (model, arm, version),
                };
            }

            lock (seen)
            {
                seen.Add((instrument.Name, value, model, arm, version));
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        listener.Start();
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 100_000, LatencyWarmUpCalls = 10, MinLatencyIncrease = NotJudged });
        Traffic(server, 4_000, championAccuracy: 0.8, challengerAccuracy: 0.6, new Random(9));
        var analysis = await server.AnalyzeRolloutAsync(); // waiting: the step's counters stay as they are

        listener.RecordObservableInstruments();
        var mine = seen.Where(m => m.Model == "delays").ToList();
        Assert.Contains(mine, m => m.Instrument == "modelretraining.serving.rollout.requests" && m.Arm == "challenger" && m.Version == 2 && m.Value == analysis.Challenger.Requests);
        Assert.Contains(mine, m => m.Instrument == "modelretraining.serving.rollout.requests" && m.Arm == "champion" && m.Version == 1 && m.Value == analysis.Champion.Requests);
        Assert.Contains(mine, m => m.Instrument == "modelretraining.serving.rollout.latency.p99" && m.Arm == "challenger" && m.Value > 0 && m.Value < 1);
        Assert.Contains(mine, m => m.Instrument == "modelretraining.serving.rollout.accuracy" && m.Arm == "champion" && Math.Abs(m.Value - analysis.Champion.Accuracy) < 1e-12);

        await server.StopRolloutAsync("tests", "done");
        Assert.Empty(((IRolloutArms)server).CurrentArms()); // nothing is observed of a rollout that ended
    }

    [Fact]
    public async Task CanaryTraffic_FollowsTheStepShare_AndAKeyStaysOnItsArm()
    {
        var (_, server) = await ServeAsync();
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2 });

        var toChallenger = Enumerable.Range(0, 20_000).Count(i => server.Predict(new Row { X = 0.5f }, $"user-{i}").FromChallenger);
        var sticky = Enumerable.Range(0, 50).Select(_ => server.Predict(new Row { X = 0.5f }, "user-42").Version).Distinct().ToArray();

        Assert.InRange(toChallenger / 20_000.0, 0.04, 0.06);
        Assert.Single(sticky);
    }

    [Fact]
    public async Task WorseCanary_RollsBackAtTheFirstFailingAnalysis_WithTheNumbers_EventLogAndMetric()
    {
        var logger = new ListLogger();
        var (registry, server) = await ServeAsync(logger: logger);
        var changes = new List<RolloutEventArgs>();
        server.RolloutChanged += (_, e) => changes.Add(e);
        long rollbacks = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "modelretraining.serving.rollbacks")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // Other test classes roll back servers of other models at the same time: count this model's only.
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "model" && (string?)tag.Value == "delays")
                {
                    Interlocked.Add(ref rollbacks, value);
                }
            }
        });
        listener.Start();
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 300, MinLatencyIncrease = NotJudged });
        var random = new Random(5);

        var analyses = new List<RolloutAnalysis>();
        while (server.Rollout is { Status: RolloutStatus.Running })
        {
            Traffic(server, 2_000, championAccuracy: 0.80, challengerAccuracy: 0.60, random);
            analyses.Add(await server.AnalyzeRolloutAsync());
        }

        Assert.All(analyses[..^1], a => Assert.Equal(AnalysisOutcome.Waiting, a.Outcome));
        var failed = analyses[^1];
        Assert.Equal(AnalysisOutcome.Failed, failed.Outcome);
        Assert.Equal(1, failed.Step);
        Assert.Equal(RolloutStatus.RolledBack, changes[^1].State.Status);
        Assert.Equal(0, changes[^1].State.ChallengerShare);
        Assert.All(Enumerable.Range(0, 500), i => Assert.Equal(1, server.Predict(new Row { X = 0.5f }, $"k{i}").Version));
        Assert.Equal(1, (await registry.GetAliasAsync("delays", ModelAliases.Champion))!.Version);
        var tag = Assert.Single(await AuditAsync(registry), e => e.Action == "tag.set" && e.To!.StartsWith("rolled back automatically", StringComparison.Ordinal));
        Assert.Contains("Failed: accuracy 0.", tag.To, StringComparison.Ordinal);
        Assert.Contains("vs champion 0.", tag.To, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.EventId == 75 && e.Message.Contains("all traffic to v1", StringComparison.Ordinal));
        Assert.Equal(1, rollbacks);
    }

    [Fact]
    public async Task SlowCanary_RollsBackOnLatency_BeforeAnyOutcome()
    {
        var (_, server) = await ServeAsync(decorate: (version, inner) => version.Version == 2 ? new Sleeping(inner, TimeSpan.FromMilliseconds(3)) : inner);
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, CanarySteps = { }, MinLatencySamples = 200 });
        var random = new Random(1);
        for (var i = 0; i < 8_000; i++)
        {
            server.Predict(new Row { X = (float)random.NextDouble() });
        }

        var analysis = await server.AnalyzeRolloutAsync();

        Assert.Equal(AnalysisOutcome.Failed, analysis.Outcome);
        Assert.Contains(analysis.Reasons, r => r.StartsWith("p99 latency", StringComparison.Ordinal) && r.Contains("× the champion's", StringComparison.Ordinal));
        Assert.Equal(0, analysis.Challenger.Outcomes);
        Assert.Null(server.Rollout);
    }

    [Fact]
    public async Task InconclusiveCanary_PausesForAPerson_WhoResumesOrPromotes()
    {
        var (registry, server) = await ServeAsync();
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 100, AccuracyTolerance = 0.01, MinLatencyIncrease = NotJudged });
        var random = new Random(3);

        // Equal accuracy, few outcomes: the bound on the difference straddles the margin.
        while (server.Rollout is { Status: RolloutStatus.Running })
        {
            Traffic(server, 1_000, championAccuracy: 0.80, challengerAccuracy: 0.80, random);
            await server.AnalyzeRolloutAsync();
        }

        Assert.Equal(RolloutStatus.Paused, server.Rollout!.Status);
        Assert.Equal(AnalysisOutcome.Inconclusive, server.Rollout.Analyses[^1].Outcome);
        Assert.True(server.Predict(new Row { X = 0.5f }) is not null);
        Assert.Throws<ArgumentException>(() => server.ResumeRollout("   "));

        var resumed = server.ResumeRollout("alice");
        Assert.Equal(RolloutStatus.Running, resumed.Status);
        Assert.StartsWith("resumed by alice at step 1, keeping its evidence", resumed.LastChange, StringComparison.Ordinal);
        var promoted = await server.PromoteRolloutAsync("alice", "looked at the slices by hand");
        Assert.Equal(RolloutStatus.Promoted, promoted.Status);
        Assert.Equal(2, (await registry.GetAliasAsync("delays", ModelAliases.Champion))!.Version);
    }

    [Fact]
    public async Task AbTest_SplitsByTheWeights_StickyPerKey_AndTheSequentialTestPicksTheBetterArm()
    {
        var (_, server) = await ServeAsync();
        await server.StartRolloutAsync(new RolloutOptions { Mode = RolloutMode.AbTest, ChallengerVersion = 2, ChampionWeight = 0.7, ChallengerWeight = 0.3, MinOutcomes = 50, MinLatencyIncrease = NotJudged });
        var share = Enumerable.Range(0, 20_000).Count(i => server.Predict(new Row { X = 0.5f }, $"session-{i}").FromChallenger) / 20_000.0;
        Assert.InRange(share, 0.28, 0.32);
        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(server.Predict(new Row(), $"session-{i}").Version, server.Predict(new Row(), $"session-{i}").Version));

        var random = new Random(8);
        var looks = 0;
        while (server.Rollout is { Status: RolloutStatus.Running } && looks++ < 100)
        {
            Traffic(server, 200, championAccuracy: 0.70, challengerAccuracy: 0.80, random, i => $"u{random.Next()}");
            await server.AnalyzeRolloutAsync();
        }

        var state = server.Rollout!;
        Assert.Equal(RolloutStatus.Concluded, state.Status);
        Assert.Equal(2, state.Winner);
        Assert.True(state.Analyses[^1].SequentialPValue < 0.05);
    }

    [Fact]
    public void SequentialTest_KeepsTheFalsePositiveRateUnderAlpha_DespiteRepeatedLooks_WhereANaiveTestDoesNot()
    {
        const int Simulations = 400, Looks = 30, PerLook = 100;
        var random = new Random(2026);
        int msprt = 0, naive = 0, detected = 0;
        for (var s = 0; s < Simulations; s++)
        {
            var (null1, null2, naiveHit) = (new MixtureSequentialTest(), new long[4], false);
            var (power, effect) = (new MixtureSequentialTest(), new long[4]);
            for (var look = 0; look < Looks; look++)
            {
                for (var i = 0; i < PerLook; i++)
                {
                    null2[0] += random.NextDouble() < 0.5 ? 1 : 0;
                    null2[2] += random.NextDouble() < 0.5 ? 1 : 0;
                    effect[0] += random.NextDouble() < 0.5 ? 1 : 0;
                    effect[2] += random.NextDouble() < 0.6 ? 1 : 0;
                }

                var n = (look + 1) * PerLook;
                null1.Update(null2[0], n, null2[2], n);
                power.Update(effect[0], n, effect[2], n);
                var (pa, pb) = ((double)null2[0] / n, (double)null2[2] / n);
                var z = (pb - pa) / Math.Sqrt((pa * (1 - pa) / n) + (pb * (1 - pb) / n));
                naiveHit |= Math.Abs(z) > 1.96;
            }

            msprt += null1.PValue <= 0.05 ? 1 : 0;
            naive += naiveHit ? 1 : 0;
            detected += power.PValue <= 0.05 ? 1 : 0;
        }

        Assert.True(msprt <= Simulations * 0.05, $"mSPRT false positives {msprt}/{Simulations}");
        Assert.True(naive >= Simulations * 0.15, $"naive repeated z-test false positives {naive}/{Simulations}");
        Assert.True(detected >= Simulations * 0.8, $"mSPRT detected a 10-point difference in {detected}/{Simulations}");
    }

    [Fact]
    public async Task ShadowChallengerThatThrowsOnEveryCall_IsCountedNeverThrown_AndNeverAnswers()
    {
        var (_, server) = await ServeAsync(decorate: (version, inner) => version.Version == 2 ? new Throwing(inner) : inner);
        await server.StartRolloutAsync(new RolloutOptions { Mode = RolloutMode.Shadow, ChallengerVersion = 2 });

        var answers = Enumerable.Range(0, 300).Select(i => server.Predict(new Row { X = 0.5f })).ToArray();
        var analysis = await WaitForShadowAsync(server, 300);

        Assert.All(answers, a => Assert.Equal(1, a.Version));
        Assert.Equal(300, analysis.Challenger.Errors);
        Assert.Equal(AnalysisOutcome.Failed, analysis.Outcome);
        Assert.Contains(analysis.Reasons, r => r.StartsWith("error rate 100.00% (300 of 300) exceeds 1.00%", StringComparison.Ordinal));
        Assert.Equal(RolloutStatus.Running, server.Rollout!.Status); // a shadow reports; it never moves traffic
    }

    [Fact]
    public async Task ShadowChallengerThatNeverReturns_DoesNotHoldTheCaller_TheQueueIsBoundedAndDropsAreCounted()
    {
        using var gate = new ManualResetEventSlim(false);
        var (_, server) = await ServeAsync(decorate: (version, inner) => version.Version == 2 ? new Blocking(inner, gate) : inner);
        await server.StartRolloutAsync(new RolloutOptions { Mode = RolloutMode.Shadow, ChallengerVersion = 2, ShadowQueueCapacity = 16 });

        // Every call returns while the challenger is stuck on its first shadow request.
        var answers = Enumerable.Range(0, 2_000).Select(i => server.Predict(new Row { X = 0.5f })).ToArray();
        var stuck = (await server.AnalyzeRolloutAsync()).Challenger;

        Assert.All(answers, a => Assert.Equal(1, a.Version));
        Assert.InRange(stuck.Dropped, 2_000 - 16 - 1, 2_000 - 16);
        gate.Set();
        await server.StopRolloutAsync("tests", "done");
    }

    [Fact]
    public async Task ShadowOutcomes_AreJudgedForBothArms_FromOneActualValue()
    {
        var (_, server) = await ServeAsync();
        await server.StartRolloutAsync(new RolloutOptions { Mode = RolloutMode.Shadow, ChallengerVersion = 2, MinOutcomes = 100, MinLatencyIncrease = NotJudged });

        var ids = Enumerable.Range(0, 200).Select(i => server.Predict(new Row { X = 0.5f }).Id).ToArray();
        await WaitForShadowAsync(server, 200);
        var champion = ids.Count(id => server.RecordActual(id, actual: 2f));
        var analysis = await server.AnalyzeRolloutAsync();

        Assert.Equal(0, champion); // v1 answers about 1: wrong when the actual value is 2
        Assert.Equal((200L, 0.0), (analysis.Champion.Outcomes, analysis.Champion.Accuracy));
        Assert.Equal((200L, 1.0), (analysis.Challenger.Outcomes, analysis.Challenger.Accuracy));
        Assert.Equal(AnalysisOutcome.Successful, analysis.Outcome);
    }

    [Fact]
    public async Task Rollback_IsOneAuditedCall_RaisesTheEvent_AndIsItselfReversible()
    {
        var (registry, server) = await ServeAsync();
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 2, 1, "tests", "promotion"));
        await server.RefreshAsync();
        var events = new List<ModelRolledBackEventArgs>();
        server.RolledBack += (_, e) => events.Add(e);

        var back = await server.RollbackAsync("oncall", "error spike after the release");
        Assert.Equal((2, 1), (back.FromVersion, back.ToVersion));
        Assert.Equal(1, server.Predict(new Row { X = 0.5f }).Version);

        var again = await server.RollbackAsync("oncall", "false alarm: the spike was upstream");
        Assert.Equal((1, 2), (again.FromVersion, again.ToVersion));
        Assert.Equal(2, server.Predict(new Row { X = 0.5f }).Version);
        Assert.Equal(2, events.Count);
        var audit = await AuditAsync(registry);
        Assert.Contains(audit, e => e.Action == "alias.rollback" && e.Actor == "oncall" && e.Reason == "error spike after the release");
        Assert.Contains(audit, e => e.Action == "alias.rollback" && e.Reason == "false alarm: the spike was upstream");
    }

    [Fact]
    public async Task BadRollouts_AreRefusedByName_AndChangeNothing()
    {
        var (registry, server) = await ServeAsync();

        var weights = Assert.Throws<OptionsValidationException>(() => server.StartRolloutAsync(new RolloutOptions { Mode = RolloutMode.AbTest, ChallengerVersion = 2, ChampionWeight = 0.6, ChallengerWeight = 0.6 }).GetAwaiter().GetResult());
        Assert.Contains("ChampionWeight and ChallengerWeight must each be between 0 and 1 and sum to 1; they are 0.6 and 0.6 (sum 1.2)", weights.Message, StringComparison.Ordinal);
        var steps = new RolloutOptions { ChallengerVersion = 2 };
        steps.CanarySteps.Clear();
        steps.CanarySteps.Add(0.5);
        steps.CanarySteps.Add(0.25);
        Assert.Contains("CanarySteps must rise strictly within (0, 1] and end at 1; they are 0.5, 0.25", (await Assert.ThrowsAsync<OptionsValidationException>(() => server.StartRolloutAsync(steps))).Message, StringComparison.Ordinal);
        Assert.Contains("v1 is the champion", (await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 1 }))).Message, StringComparison.Ordinal);
        Assert.Contains("no version 9", (await Assert.ThrowsAsync<KeyNotFoundException>(() => server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 9 }))).Message, StringComparison.Ordinal);
        Assert.Contains("No rollout is running", (await Assert.ThrowsAsync<InvalidOperationException>(() => server.AnalyzeRolloutAsync())).Message, StringComparison.Ordinal);
        Assert.Null(server.Rollout);
        Assert.DoesNotContain(await AuditAsync(registry), e => e.Action == "tag.set");

        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2 });
        Assert.Contains("already Running", (await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2 }))).Message, StringComparison.Ordinal);
        Assert.Contains("No rollout is paused", Assert.Throws<InvalidOperationException>(() => server.ResumeRollout("alice")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordActual_WithoutAJudge_IsRefusedSayingWhatToSet()
    {
        var registry = await RegistryAsync(1);
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        await using var server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() } });
        await server.StartAsync();
        var id = server.Predict(new Row()).Id;

        Assert.Contains("needs IsCorrect", Assert.Throws<InvalidOperationException>(() => server.RecordActual(id, 1f)).Message, StringComparison.Ordinal);
        server.RecordOutcome(id, true); // nothing was claimed by the refused call
    }

    private static async Task<RolloutAnalysis> WaitForShadowAsync(ModelServer<Row, Output> server, int requests)
    {
        for (var i = 0; i < 500; i++)
        {
            var analysis = await server.AnalyzeRolloutAsync();
            if (analysis.Challenger.Requests + analysis.Challenger.Dropped >= requests)
            {
                return analysis;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The shadow worker did not catch up.");
    }

    private sealed class Throwing(IServedModel<Row, Output> inner) : IServedModel<Row, Output>
    {
        private int _calls;

        // The first call is the server's warm-up when it loads the model: that one works.
        public Output Predict(Row input) => Interlocked.Increment(ref _calls) == 1 ? inner.Predict(input) : throw new InvalidOperationException("challenger is broken");

        public void Dispose() => inner.Dispose();
    }

    private sealed class Sleeping(IServedModel<Row, Output> inner, TimeSpan delay) : IServedModel<Row, Output>
    {
        public Output Predict(Row input)
        {
            Thread.Sleep(delay);
            return inner.Predict(input);
        }

        public void Dispose() => inner.Dispose();
    }

    private sealed class Blocking(IServedModel<Row, Output> inner, ManualResetEventSlim gate) : IServedModel<Row, Output>
    {
        private int _calls;

        public Output Predict(Row input)
        {
            if (Interlocked.Increment(ref _calls) > 1)
            {
                gate.Wait();
            }

            return inner.Predict(input);
        }

        public void Dispose() => inner.Dispose();
    }

    internal sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, int EventId, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, eventId.Id, formatter(state, exception)));
            }
        }
    }

    [Fact]
    public async Task HundredRolloutStartStopCycles_UnderFourCallers_NoFailedPrediction_OnlyBothVersionsAnswer()
    {
        var (_, server) = await ServeAsync();
        using var stop = new CancellationTokenSource();
        var modes = new[] { RolloutMode.Canary, RolloutMode.Shadow, RolloutMode.AbTest };
        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(() =>
        {
            long calls = 0;
            var versions = new HashSet<int>();
            while (!stop.IsCancellationRequested)
            {
                versions.Add(server.Predict(new Row { X = 0.5f }, $"c{c}-{calls}").Version);
                calls++;
            }

            return (calls, versions);
        })).ToArray();

        for (var cycle = 0; cycle < 100; cycle++)
        {
            await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, Mode = modes[cycle % modes.Length], MinOutcomes = 1_000_000, MinLatencyIncrease = NotJudged });
            await Task.Yield();
            await server.StopRolloutAsync("tests", $"cycle {cycle}");
        }

        await stop.CancelAsync();
        var results = await Task.WhenAll(callers); // a failed prediction would surface here
        Assert.All(results, r => Assert.True(r.calls > 0));
        Assert.Subset(new HashSet<int> { 1, 2 }, results.SelectMany(r => r.versions).ToHashSet());
        Assert.Null(server.Rollout);
        Assert.Equal(1, server.Predict(new Row { X = 0.5f }).Version);
    }
}
