using ModelRetraining.MLNet;
using ModelRetraining.Testing;
using static ModelRetraining.Serving.Tests.ModelServerTests;

namespace ModelRetraining.Serving.Tests;

/// <summary>
/// Rollouts decide on evidence, not noise: latency is judged on enough calls of both arms with confidence
/// bounds, a pause keeps the evidence, the canary's bound stays valid however often it is looked at, and
/// the last rollout's end stays readable.
/// </summary>
public sealed class RolloutEvidenceTests : IAsyncDisposable
{
    private ModelServer<Row, Output>? _server;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<ModelServer<Row, Output>> ServeAsync(Func<ModelVersion, IServedModel<Row, Output>, IServedModel<Row, Output>>? decorate = null)
    {
        var registry = await RegistryAsync(1, 2);
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        _server = new ModelServer<Row, Output>(registry, "delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) })
        {
            PredictorDecorator = decorate,
        };
        await _server.StartAsync();
        return _server;
    }

    private static void Traffic(ModelServer<Row, Output> server, int requests, double championAccuracy, double challengerAccuracy, Random random)
    {
        for (var i = 0; i < requests; i++)
        {
            var prediction = server.Predict(new Row { X = (float)random.NextDouble() });
            server.RecordOutcome(prediction.Id, random.NextDouble() < (prediction.FromChallenger ? challengerAccuracy : championAccuracy));
        }
    }

    [Fact]
    public async Task BetterChallengerWithOnePause_IsNotRolledBackOnLatency()
    {
        // The challenger is as fast as the champion except for one 40 ms pause (a GC, a page fault).
        var server = await ServeAsync((version, inner) => version.Version == 2 ? new PausesOnce(inner, callNumber: 120, TimeSpan.FromMilliseconds(40)) : inner);
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 300 });
        var random = new Random(11);
        var analyses = new List<RolloutAnalysis>();
        for (var round = 0; round < 6 && server.Rollout is { Status: RolloutStatus.Running, Step: 1 }; round++)
        {
            Traffic(server, 4_000, championAccuracy: 0.70, challengerAccuracy: 0.85, random);
            analyses.Add(await server.AnalyzeRolloutAsync());
        }

        Assert.DoesNotContain(analyses, a => a.Reasons.Any(r => r.Contains("latency", StringComparison.Ordinal)));
        Assert.NotEqual(RolloutStatus.RolledBack, (server.Rollout ?? server.LastRollout)!.Status);
    }

    [Fact]
    public async Task FewChallengerCalls_LatencyIsNotJudgedYet_AndTheAnalysisSaysHowManyAreNeeded()
    {
        var server = await ServeAsync((version, inner) => version.Version == 2 ? new PausesOnce(inner, callNumber: 60, TimeSpan.FromMilliseconds(40)) : inner);
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2 });
        var random = new Random(2);
        Traffic(server, 3_000, 0.8, 0.8, random); // about 150 challenger calls at 5%

        var analysis = await server.AnalyzeRolloutAsync();

        Assert.NotEqual(AnalysisOutcome.Failed, analysis.Outcome);
        Assert.True(analysis.Challenger.LatencySamples < 1_000);
        Assert.Equal(analysis.Challenger.Requests - 50, analysis.Challenger.LatencySamples); // the warm-up is left out
    }

    [Fact]
    public async Task ResumedCanary_KeepsItsEvidence_AndDecides()
    {
        var server = await ServeAsync();
        var options = new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 100, AccuracyTolerance = 0.05 };
        options.CanarySteps.Clear();
        options.CanarySteps.Add(0.5);
        options.CanarySteps.Add(1.0);
        await server.StartRolloutAsync(options);
        var random = new Random(4);
        Traffic(server, 300, championAccuracy: 0.80, challengerAccuracy: 0.82, random);
        var first = await server.AnalyzeRolloutAsync();
        Assert.Equal(AnalysisOutcome.Inconclusive, first.Outcome);
        Assert.Equal(RolloutStatus.Paused, server.Rollout!.Status);

        var resumed = server.ResumeRollout("alice");
        Assert.Contains("keeping its evidence", resumed.LastChange, StringComparison.Ordinal);
        var decided = first;
        for (var round = 0; round < 40 && server.Rollout is { Step: 1 }; round++)
        {
            if (server.Rollout.Status == RolloutStatus.Paused)
            {
                server.ResumeRollout("alice");
            }

            Traffic(server, 300, championAccuracy: 0.80, challengerAccuracy: 0.82, random);
            decided = await server.AnalyzeRolloutAsync();
            Assert.True(decided.Challenger.Outcomes > first.Challenger.Outcomes, "the counters restarted on resume");
        }

        Assert.Equal(AnalysisOutcome.Successful, decided.Outcome);
        Assert.Equal(1, decided.Step);
    }

    [Fact]
    public async Task CanaryStoppedBeforeItDecided_SaysItsEvidenceRanOut_AndTheLastRolloutStaysReadable()
    {
        var server = await ServeAsync();
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 500 });
        Traffic(server, 2_000, 0.8, 0.8, new Random(5));
        await server.AnalyzeRolloutAsync();

        await server.StopRolloutAsync("ops", "end of the test window");

        Assert.Null(server.Rollout);
        var last = server.LastRollout;
        Assert.NotNull(last);
        Assert.Equal(RolloutStatus.Stopped, last.Status);
        Assert.Contains("undecided at step 1: the evidence ran out", last.LastChange, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutomaticRollback_LeavesTheFinalStateReadable()
    {
        var server = await ServeAsync();
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 300 });
        var random = new Random(6);
        while (server.Rollout is { Status: RolloutStatus.Running })
        {
            Traffic(server, 4_000, championAccuracy: 0.85, challengerAccuracy: 0.55, random);
            await server.AnalyzeRolloutAsync();
        }

        Assert.Null(server.Rollout);
        Assert.Equal(RolloutStatus.RolledBack, server.LastRollout!.Status);
        Assert.Equal(AnalysisOutcome.Failed, server.LastRollout.Analyses[^1].Outcome);
        Assert.StartsWith("rolled back automatically at step 1 ", server.LastRollout.LastChange, StringComparison.Ordinal);
    }

    [Fact]
    public void CanaryBound_UnderOptionalStopping_KeepsItsErrorRate()
    {
        // Equal accuracies, an analysis after every 50 outcomes per arm up to 5,000: a bound that is only
        // valid at one look would claim "challenger worse by more than 0" in far more than α of the runs.
        var options = new RolloutOptions { ChallengerVersion = 2, MinOutcomes = 200, Alpha = 0.05 };
        var random = new Random(21);
        var falseAlarms = 0;
        const int runs = 400;
        for (var run = 0; run < runs; run++)
        {
            long championRight = 0, challengerRight = 0;
            for (var n = 1; n <= 5_000; n++)
            {
                championRight += random.NextDouble() < 0.8 ? 1 : 0;
                challengerRight += random.NextDouble() < 0.8 ? 1 : 0;
                if (n % 50 != 0 || n < options.MinOutcomes)
                {
                    continue;
                }

                var champion = new ArmStatistics(1, n, 0, n, (double)championRight / n, 1);
                var challenger = new ArmStatistics(2, n, 0, n, (double)challengerRight / n, 1);
                var (_, upper) = RolloutAnalyzer.ConfidenceSequence(challenger.Accuracy - champion.Accuracy, champion, challenger, options);
                if (upper < 0)
                {
                    falseAlarms++;
                    break;
                }
            }
        }

        Assert.True(falseAlarms <= runs * options.Alpha, $"{falseAlarms} of {runs} runs crossed the bound");
    }

    private sealed class PausesOnce(IServedModel<Row, Output> inner, int callNumber, TimeSpan pause) : IServedModel<Row, Output>
    {
        private int _calls;

        public Output Predict(Row input)
        {
            if (Interlocked.Increment(ref _calls) == callNumber)
            {
                Thread.Sleep(pause);
            }

            return inner.Predict(input);
        }

        public void Dispose() => inner.Dispose();
    }
}
