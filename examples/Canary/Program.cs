// A canary on real data: the champion is trained on May 2001 flights, the challenger on the first half of
// January (stale). June's flights are served through a 5% → 25% → 50% → 100% canary, each outcome recorded
// as it arrives; the canary analyses every 1,000 flights and rolls back on its own.
//
//   dotnet run --project examples/Canary
using Microsoft.ML;
using ModelRetraining;
using ModelRetraining.MLNet;
using ModelRetraining.Serving;
using QuickStart;

var folder = Path.Combine(Path.GetTempPath(), "modelretraining-canary", Guid.NewGuid().ToString("N"));
var registry = ModelRegistry.Embedded(folder);
var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
var context = new RetrainingContext("flight-delays", "canary-example", TimeProvider.System);

async Task<ModelVersion> RegisterAsync(DateTime from, DateTime to, string description)
{
    var data = await flights.Between(from, to).LoadAsync(context);
    var ml = new MLContext(1);
    var model = FlightDelays.Estimator(ml).Fit(data.Data);
    using var stream = new MemoryStream();
    ml.Model.Save(model, data.Data.Schema, stream);
    return await registry.RegisterVersionAsync(new NewModelVersion("flight-delays", new ModelArtifact("mlnet", "model.zip", stream.ToArray()), "example") { Description = description });
}

var champion = await RegisterAsync(new(2001, 5, 1), new(2001, 6, 1), "trained on May 2001");
var challenger = await RegisterAsync(new(2001, 1, 1), new(2001, 1, 15), "trained on January 1-14, 2001");
await registry.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, champion.Version, null, "example", "fresh model"));

// <snippet:canary>
await using var server = new ModelServer<FlightRow, FlightScore>(registry, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() } })
{
    // The service warns a passenger when the delay probability reaches 0.25: right when that matches the outcome.
    IsCorrect = (score, late) => score.Probability >= 0.25f == late > 0.5f,

    // DayOfWeek is computed from the departure by the training schema's own code, not by the caller.
    Derivations = FlightDelays.Schema().DerivationsFor<FlightRow>(),
};
await server.StartAsync();
server.RolloutChanged += (_, e) => Console.WriteLine($"  {e.State.Status}: {e.State.LastChange}");
await server.StartRolloutAsync(new RolloutOptions
{
    Mode = RolloutMode.Canary,                  // 5% → 25% → 50% → 100%
    ChallengerVersion = challenger.Version,
    MinOutcomes = 600,                          // per arm, before accuracy is judged
    AccuracyTolerance = 0.02,                   // non-inferiority margin
    Actor = "release-bot",
});

var june = await flights.Between(new(2001, 6, 1), new(2001, 7, 1)).LoadAsync(context);
var served = 0;
foreach (var flight in new MLContext(0).Data.CreateEnumerable<FlightRow>(june.Data, reuseRowObject: false))
{
    var prediction = server.Predict(flight, routingKey: $"passenger-{served++}");
    server.RecordActual(prediction.Id, flight.Late ? 1f : 0f);    // the outcome, once the flight lands
    if (served % 1_000 == 0 && server.Rollout is not null)
    {
        var analysis = await server.AnalyzeRolloutAsync();
        Console.WriteLine($"{served,6} flights: {analysis.Outcome}");
    }
}
// </snippet:canary>

Console.WriteLine($"Serving v{server.Current!.Version} after {served} June flights. Audit log:");
await foreach (var e in registry.GetAuditEventsAsync("flight-delays"))
{
    Console.WriteLine($"  {e.At:u} {e.Action} {e.Subject} by {e.Actor}: {e.To ?? e.Reason}");
}

Directory.Delete(folder, recursive: true);
