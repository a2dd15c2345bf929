using ModelRetraining.MLNet;
using QuickStart;
using Xunit.Abstractions;

namespace ModelRetraining.Serving.Tests;

/// <summary>
/// A canary on real data (flights-2001, embedded SQLite registry): the champion is trained on May, the
/// challenger on the first half of January (stale: it still expects January's late rate); June's flights
/// are served through the canary with their outcomes, and the service acts on a delay probability of 0.25.
/// The canary rolls back at its first judged analysis, with the numbers in the audit log.
/// </summary>
public sealed class CanaryOnRealFlightsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-serving-canary", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task StaleChallenger_RollsBackAtTheFirstFailingAnalysis_WithTheNumbersInTheAuditEvent()
    {
        var registry = ModelRegistry.Embedded(_folder);
        var (_, fresh) = await FlightRows.TrainAsync(new(2001, 5, 1), new(2001, 6, 1));
        var (_, stale) = await FlightRows.TrainAsync(new(2001, 1, 1), new(2001, 1, 15));
        var champion = await registry.RegisterVersionAsync(new NewModelVersion("flight-delays", fresh, "tests") { Description = "trained on May 2001" });
        var challenger = await registry.RegisterVersionAsync(new NewModelVersion("flight-delays", stale, "tests") { Description = "trained on January 1-14, 2001" });
        await registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, champion.Version, null, "tests", "fresh model"));
        await using var server = new ModelServer<FlightRow, FlightScore>(registry, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) })
        {
            IsCorrect = (score, late) => score.Probability >= 0.25f == late > 0.5f,
        };
        await server.StartAsync();
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = challenger.Version, MinOutcomes = 600, Actor = "release-bot", MinLatencyIncrease = TimeSpan.FromSeconds(10) });

        var june = await FlightRows.LoadAsync(new(2001, 6, 1), new(2001, 7, 1));
        var analyses = new List<RolloutAnalysis>();
        var served = 0;
        foreach (var chunk in june.Chunk(1_000))
        {
            foreach (var flight in chunk)
            {
                var prediction = server.Predict(flight, $"{flight.Origin}-{served++}");
                server.RecordActual(prediction.Id, flight.Late ? 1f : 0f);
            }

            analyses.Add(await server.AnalyzeRolloutAsync());
            if (server.Rollout is null)
            {
                break;
            }
        }

        var failed = analyses[^1];
        output.WriteLine($"{served} June flights served; {failed}");
        Assert.All(analyses[..^1], a => Assert.Equal(AnalysisOutcome.Waiting, a.Outcome));
        Assert.Equal(AnalysisOutcome.Failed, failed.Outcome);
        Assert.Equal(1, failed.Step);
        Assert.True(failed.Challenger.Accuracy < failed.Champion.Accuracy - 0.02, failed.ToString());
        Assert.Equal(champion.Version, (await registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);
        Assert.Equal(champion.Version, server.Predict(june[0], "after").Version);

        AuditEvent? rolledBack = null;
        await foreach (var e in registry.GetAuditEventsAsync("flight-delays"))
        {
            rolledBack = e.Action == "tag.set" && e.Subject == $"v{challenger.Version}:rollout" && e.To!.StartsWith("rolled back automatically", StringComparison.Ordinal) ? e : rolledBack;
        }

        Assert.NotNull(rolledBack);
        output.WriteLine($"audit: {rolledBack.Action} {rolledBack.Subject} by {rolledBack.Actor}: {rolledBack.To}");
        Assert.Equal("release-bot", rolledBack.Actor);
        Assert.Contains(FormattableString.Invariant($"accuracy {failed.Challenger.Accuracy:0.####} ({failed.Challenger.Outcomes} outcomes) vs champion {failed.Champion.Accuracy:0.####} ({failed.Champion.Outcomes})"), rolledBack.To, StringComparison.Ordinal);
    }
}
