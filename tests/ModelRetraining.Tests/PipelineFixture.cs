using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

/// <summary>A pipeline of fakes around a real in-memory registry, with knobs for each test.</summary>
internal sealed class PipelineFixture(TimeProvider? timeProvider = null)
{
    public TimeProvider Time { get; } = timeProvider ?? TimeProvider.System;

    public InMemoryModelRegistry Registry { get; } = new(timeProvider);

    public FakeDataSource Training { get; } = new("train.csv", (_, _) => TestData.Snapshot("train", 100));

    public FakeDataSource Holdout { get; } = new("holdout.csv", (_, _) => TestData.Snapshot("holdout", 40));

    public FakeTrainer Trainer { get; } = new();

    public FakeEvaluator Evaluator { get; } = new()
    {
        CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.80, MetricDirection.HigherIsBetter)),
        ChampionMetrics = FakeEvaluator.Metrics(("AUC", 0.75, MetricDirection.HigherIsBetter)),
    };

    public RetrainingPipelineBuilder Builder(Action<PromotionGateBuilder>? gate = null)
        => new RetrainingPipelineBuilder { ModelName = "churn", Actor = "tests", TimeProvider = Time }
            .UseTrainingData(Training)
            .UseHoldoutData(Holdout)
            .AddSchemaValidation(TestData.Schema)
            .UseTrainer(Trainer)
            .UseEvaluator(Evaluator)
            .AddPromotionGate(gate ?? (g => g.Metric("AUC").AtLeast(0.7).NoWorseThanChampion("AUC", 0.01)))
            .UseRegistry(Registry);

    public async Task<RegistryState> StateAsync()
    {
        var versions = new List<int>();
        await foreach (var v in Registry.ListVersionsAsync("churn"))
        {
            versions.Add(v.Version);
        }

        var history = new List<string>();
        await foreach (var h in Registry.GetAliasHistoryAsync("churn", ModelAliases.Champion))
        {
            history.Add(h.ToString());
        }

        var audit = 0;
        await foreach (var _ in Registry.GetAuditEventsAsync("churn"))
        {
            audit++;
        }

        return new RegistryState(string.Join(",", versions), (await Registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version, string.Join("|", history), audit);
    }

    public async Task<List<RunJournalEntry>> JournalAsync(string runId)
    {
        var entries = new List<RunJournalEntry>();
        await foreach (var e in Registry.GetService<IRunJournal>()!.ReadRunAsync(runId))
        {
            entries.Add(e);
        }

        return entries;
    }

    internal sealed record RegistryState(string Versions, int? Champion, string History, int AuditEvents);
}
