using System.Text.Json;
using Extending;
using Microsoft.ML;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// The implementations docs/extending/*.md show (examples/Extending) run in real pipelines on January 2001
/// flights: a JSON Lines source, a validator, a trainer, an evaluator decorator, a gate, an artifact store
/// and a registry decorator — and each one's refusal leaves the registry as it was.
/// </summary>
public sealed class ExtensionExamplesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-extending", Guid.NewGuid().ToString("N"));

    public ExtensionExamplesTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public sealed class Flight
    {
        public DateTime Date { get; set; }

        public float Distance { get; set; }

        public float DayOfWeek { get; set; }

        public bool Late { get; set; }
    }

    private async Task<string> WriteFlightsAsync(string name, DateTime from, DateTime to, Action<List<string>>? tamper = null)
    {
        var data = await CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema()).Between(from, to).LoadAsync(new RetrainingContext("flight-delays", "extending", TimeProvider.System));
        var lines = new MLContext(0).Data.CreateEnumerable<FlightRow>(data.Data, reuseRowObject: false)
            .Select(f => JsonSerializer.Serialize(new Flight { Date = f.Date, Distance = f.Distance, DayOfWeek = f.DayOfWeek, Late = f.Late }))
            .ToList();
        tamper?.Invoke(lines);
        var path = Path.Combine(_folder, name);
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    private (NotifyingModelRegistry Registry, CachingArtifactStore Store, List<AliasHistoryEntry> Told) Registry(Func<AliasHistoryEntry, Task>? notify = null)
    {
        var store = new CachingArtifactStore(ModelRegistry.LocalArtifactStore(Path.Combine(_folder, "registry", "artifacts")), maxBytes: 64 << 20);
        var told = new List<AliasHistoryEntry>();
        var registry = new NotifyingModelRegistry(ModelRegistry.Embedded(Path.Combine(_folder, "registry"), new EmbeddedRegistryOptions { ArtifactStore = store }), notify ?? (e =>
        {
            told.Add(e);
            return Task.CompletedTask;
        }));
        return (registry, store, told);
    }

    private static RetrainingPipelineBuilder Pipeline(IModelRegistry registry, string training, string holdout, params (DateTimeOffset, DateTimeOffset)[] freezes)
        => new RetrainingPipelineBuilder { ModelName = "flight-delays", Actor = "extending" }
            .UseTrainingData(new JsonLinesDataSource<Flight>(training, labelColumn: "Late"))
            .UseHoldoutData(new JsonLinesDataSource<Flight>(holdout, labelColumn: "Late"))
            .AddValidator(new NoFutureTimestampsValidator("Date", TimeSpan.FromHours(1)))
            .UseTrainer(new LogisticRegressionTrainer("Late", ["Distance", "DayOfWeek"]))
            .AddMLNetEvaluation(MLTask.BinaryClassification)
            .Decorate<IEvaluator>(inner => new PositiveRateEvaluator(inner))
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5))
            .AddPromotionGate(new ChangeFreezeGate(freezes))
            .UseRegistry(registry);

    [Fact]
    public async Task EveryExtension_InOnePipeline_PromotesAVersion_AndEachDidItsPart()
    {
        var (registry, store, told) = Registry();
        var training = await WriteFlightsAsync("january.jsonl", new(2001, 1, 1), new(2001, 1, 22));
        var holdout = await WriteFlightsAsync("late-january.jsonl", new(2001, 1, 22), new(2001, 2, 1));
        var result = await Pipeline(registry, training, holdout).Build().RunAsync();

        Assert.True(result.Promoted, result.ToString());
        var version = result.RegisteredVersion!;
        Assert.Equal("logistic-regression", version.Parameters["trainer"]);
        Assert.InRange(version.Metrics[PositiveRateEvaluator.Metric].Value, 0, 1);
        Assert.Contains(result.Decision!.Criteria, c => c.Criterion == "change-freeze" && c.Passed);
        Assert.Equal(Path.GetFullPath(training), version.Datasets.Single(d => d.Role == "training").Name);
        var move = Assert.Single(told);
        Assert.Equal(version.Version, move.ToVersion);

        // Served twice from the registry: the second read comes from the cache.
        await registry.ReadArtifactAsync(version);
        var hits = store.Hits;
        await registry.ReadArtifactAsync(version);
        Assert.Equal(hits + 1, store.Hits);
    }

    [Fact]
    public async Task ABadJsonLine_IsRefusedNamingTheLine_AndNothingIsRegistered()
    {
        var (registry, _, told) = Registry();
        var training = await WriteFlightsAsync("january.jsonl", new(2001, 1, 1), new(2001, 1, 22), lines => lines.Insert(9, "{\"Date\": \"not a date\"}"));
        var holdout = await WriteFlightsAsync("late-january.jsonl", new(2001, 1, 22), new(2001, 2, 1));
        var result = await Pipeline(registry, training, holdout).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Validation.SelectMany(r => r.Issues), i => i.Rule == "jsonl.parse" && i.Row == 10 && i.Message.StartsWith("Line 10 of 'january.jsonl'", StringComparison.Ordinal));
        Assert.Empty(told);
        Assert.Null(await registry.GetAliasAsync("flight-delays", ModelAliases.Champion));
    }

    [Fact]
    public async Task AFutureTimestamp_IsRefusedNamingTheRow()
    {
        var (registry, _, _) = Registry();
        var training = await WriteFlightsAsync("january.jsonl", new(2001, 1, 1), new(2001, 1, 22), lines => lines.Add(JsonSerializer.Serialize(new Flight { Date = new DateTime(2100, 1, 1), Distance = 500 })));
        var holdout = await WriteFlightsAsync("late-january.jsonl", new(2001, 1, 22), new(2001, 2, 1));
        var result = await Pipeline(registry, training, holdout).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        var issue = Assert.Single(result.Validation.SelectMany(r => r.Issues), i => i.Rule == "time.future");
        Assert.Contains("1 rows of 'january.jsonl'", issue.Message, StringComparison.Ordinal);
        Assert.Null(await registry.GetAliasAsync("flight-delays", ModelAliases.Champion));
    }

    [Fact]
    public async Task InsideAChangeFreeze_TheGateRejects_AndTheChampionStays()
    {
        var (registry, _, told) = Registry();
        var training = await WriteFlightsAsync("january.jsonl", new(2001, 1, 1), new(2001, 1, 22));
        var holdout = await WriteFlightsAsync("late-january.jsonl", new(2001, 1, 22), new(2001, 2, 1));
        var now = DateTimeOffset.UtcNow;
        var result = await Pipeline(registry, training, holdout, (now.AddDays(-1), now.AddDays(1))).Build().RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Decision!.Criteria, c => c.Criterion == "change-freeze" && !c.Passed && c.Explanation.Contains("inside the change freeze", StringComparison.Ordinal));
        Assert.Empty(told);
        Assert.Null(await registry.GetAliasAsync("flight-delays", ModelAliases.Champion));
    }

    [Fact]
    public async Task AFailingNotifier_DoesNotFailThePromotion()
    {
        var (registry, _, _) = Registry(_ => throw new HttpRequestException("chat is down"));
        var training = await WriteFlightsAsync("january.jsonl", new(2001, 1, 1), new(2001, 1, 22));
        var holdout = await WriteFlightsAsync("late-january.jsonl", new(2001, 1, 22), new(2001, 2, 1));
        var result = await Pipeline(registry, training, holdout).Build().RunAsync();

        Assert.True(result.Promoted, result.ToString());
        Assert.IsType<HttpRequestException>(Assert.Single(registry.NotifyFailures));
        Assert.Equal(result.RegisteredVersion!.Version, (await registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version);
    }
}
