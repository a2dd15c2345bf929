using Microsoft.Extensions.Logging;
using Microsoft.ML;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Serving.Tests;

/// <summary>
/// Train/serve skew: the quick start's schema derives DayOfWeek from the departure time. A version
/// trained by the real pipeline marks it derived in its stored schema, and a server given the training
/// schema's derivations serves raw rows (DayOfWeek never set by the caller) with the scores evaluation gave.
/// </summary>
public sealed class DerivedFeatureServingTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-serving-derived", Guid.NewGuid().ToString("N"));
    private IModelRegistry _registry = null!;
    private ModelVersion _version = null!;

    public async Task InitializeAsync()
    {
        _registry = ModelRegistry.Embedded(_folder);
        var result = await FlightDelays.Pipeline(_registry, FlightDelays.DataFile, (new(2001, 1, 1), new(2001, 2, 1)), (new(2001, 2, 1), new(2001, 2, 15)))
            .Build()
            .RunAsync(new RetrainingRunOptions { Reason = "derived features test" });
        Assert.True(result.Promoted, result.ToString());
        _version = (await _registry.GetAliasAsync("flight-delays", ModelAliases.Champion))!;
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task StoredSchema_MarksTheDerivedFeature_AndNotTheReadColumns()
    {
        var stored = await _registry.ReadAttachmentAsync(_version, AttachmentNames.Schema);
        var schema = InferredSchema.FromJson(System.Text.Encoding.UTF8.GetString(stored.Content.Span));
        Assert.Equal(["DayOfWeek", "Late"], schema.Columns.Where(c => c.IsDerived).Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.False(schema.Columns.Single(c => c.Name == "date").IsDerived);
    }

    [Fact]
    public async Task RawRows_ServedWithTheSchemasDerivations_ScoreAsEvaluationDid()
    {
        var holdout = await FlightRows.Source.Between(new(2001, 2, 1), new(2001, 2, 8)).LoadAsync(FlightRows.Context);
        var ml = new MLContext(0);
        var artifact = await _registry.ReadArtifactAsync(_version);
        using var modelStream = new MemoryStream(artifact.Content.ToArray());
        var evaluated = ml.Data.CreateEnumerable<FlightScore>(ml.Model.Load(modelStream, out _).Transform(holdout.Data), reuseRowObject: false).ToArray();

        // Raw rows: what a caller has at serving time (the departure, distance, airports), DayOfWeek unset.
        var raw = ml.Data.CreateEnumerable<FlightRow>(holdout.Data, reuseRowObject: false).ToArray();
        Assert.Contains(raw, r => r.DayOfWeek != 0);
        foreach (var row in raw)
        {
            row.DayOfWeek = 0;
        }

        await using var server = new ModelServer<FlightRow, FlightScore>(_registry, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) })
        {
            Derivations = FlightDelays.Schema().DerivationsFor<FlightRow>(),
        };
        await server.StartAsync();
        Assert.Equal(_version.Version, server.Current!.Version);
        var served = raw.Select(r => server.Predict(r).Output.Probability).ToArray();

        Assert.Equal(evaluated.Length, served.Length);
        Assert.Equal(evaluated.Select(e => e.Probability), served);
    }

    [Fact]
    public async Task WithoutDerivations_RawRowsScoreDifferently_AndTheServerWarnsThatTheCallerMustComputeThem()
    {
        var logs = new RolloutTests.ListLogger();
        await using var server = new ModelServer<FlightRow, FlightScore>(_registry, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) }, logger: logs);
        await server.StartAsync();

        var warning = Assert.Single(logs.Entries, e => e.EventId == 80);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("DayOfWeek", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Late", warning.Message, StringComparison.Ordinal);

        var holdout = await FlightRows.Source.Between(new(2001, 2, 1), new(2001, 2, 3)).LoadAsync(FlightRows.Context);
        var rows = new MLContext(0).Data.CreateEnumerable<FlightRow>(holdout.Data, reuseRowObject: false).ToArray();
        var withDay = rows.Select(r => server.Predict(r).Output.Probability).ToArray();
        foreach (var row in rows)
        {
            row.DayOfWeek = 0;
        }

        Assert.NotEqual(withDay, rows.Select(r => server.Predict(r).Output.Probability).ToArray());
    }

    [Fact]
    public async Task DerivationsThatDoNotComputeTheModelsFeature_AreRefused_AndNothingServes()
    {
        var other = new CsvSchema().Time("date").Numeric("distance").Text("origin").Text("destination")
            .DeriveNumeric("Distance100", r => r.GetNumeric("distance") / 100);
        await using var server = new ModelServer<FlightRowWithDistance100, FlightScore>(_registry, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) })
        {
            Derivations = other.DerivationsFor<FlightRowWithDistance100>(),
        };
        await server.StartAsync();

        Assert.Null(server.Current);
        var failure = server.LastSwapFailure;
        Assert.NotNull(failure);
        Assert.Contains("derived column 'DayOfWeek'", failure.Error.Message, StringComparison.Ordinal);
        Assert.Contains("'Distance100'", failure.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInputTypeWithoutAMemberForADerivedColumn_IsRefusedNamingTheColumn()
    {
        var error = Assert.Throws<ArgumentException>(() => FlightDelays.Schema().DerivationsFor<FlightScore>());
        Assert.Contains("'DayOfWeek' (Numeric) has no member in FlightScore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADerivationReadingAColumnTheInputLacks_FailsNamingIt_InsteadOfComputingFromMissing()
    {
        var schema = new CsvSchema().Numeric("distance").Numeric("taxi").DeriveNumeric("Total", r => r.GetNumeric("distance") + r.GetNumeric("taxi"));
        var derivations = schema.DerivationsFor<DistanceOnly>();
        var error = Assert.Throws<InvalidOperationException>(() => derivations.Apply(new DistanceOnly { Distance = 3 }));
        Assert.Contains("'taxi'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DistanceOnly", error.Message, StringComparison.Ordinal);
    }

    public sealed class FlightRowWithDistance100
    {
        [Microsoft.ML.Data.ColumnName("date")]
        public DateTime Date { get; set; }

        public float DayOfWeek { get; set; }

        [Microsoft.ML.Data.ColumnName("distance")]
        public float Distance { get; set; }

        public float Distance100 { get; set; }

        [Microsoft.ML.Data.ColumnName("origin")]
        public string Origin { get; set; } = string.Empty;

        [Microsoft.ML.Data.ColumnName("destination")]
        public string Destination { get; set; } = string.Empty;
    }

    public sealed class DistanceOnly
    {
        [Microsoft.ML.Data.ColumnName("distance")]
        public float Distance { get; set; }

        public float Total { get; set; }
    }
}
