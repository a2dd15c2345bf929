using ModelRetraining.MLNet;
using ModelRetraining.Serving;
using QuickStart;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>
/// The story of a small cluster on real data (flights-2001): a training node runs the quick start's pipeline
/// on a PostgreSQL registry, and a serving node (another registry object: its own pool and listening
/// connection) follows the champion with a <see cref="ModelServer{TInput, TOutput}"/> that never polls. The
/// first run's promotion reaches the serving node through LISTEN/NOTIFY and it serves v1; the second run
/// judges a challenger on the same holdout; an operator's rollback on the training node reaches it too.
/// </summary>
public sealed class TwoNodesOnRealFlightsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Promotion_OnTheTrainingNode_IsServedByTheServingNode_AndSoIsTheRollback()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var training = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(database, new PostgreSqlRegistryOptions { Schema = "flights" });
        await using var serving = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(database, new PostgreSqlRegistryOptions { Schema = "flights" });
        await using var server = new ModelServer<FlightRow, FlightScore>(serving, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) });
        await server.StartAsync();
        await serving.ListeningStarted.WaitAsync(Bound);
        Assert.Null(server.Current);

        var first = await FlightDelays.Pipeline(training, FlightDelays.DataFile, (new(2001, 1, 1), new(2001, 3, 1)), (new(2001, 6, 1), new(2001, 7, 1))).Build().RunAsync();
        Assert.Equal(RetrainingRunStatus.Succeeded, first.Status);
        await Until(() => server.Current?.Version == 1);

        var second = await FlightDelays.Pipeline(training, FlightDelays.DataFile, (new(2001, 3, 1), new(2001, 6, 1)), (new(2001, 6, 1), new(2001, 7, 1))).Build().RunAsync();
        Assert.Equal(2, second.RegisteredVersion?.Version);
        var champion = (await training.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version;
        await Until(() => server.Current?.Version == champion);

        if (champion == 2)
        {
            await training.RollbackAsync(new RollbackRequest("flight-delays", 2, "oncall", "tests: roll back across nodes"));
            await Until(() => server.Current?.Version == 1);
        }

        var june = new FlightRow { Distance = 1_000, DayOfWeek = 5, Origin = "ORD", Destination = "LGA", Date = new DateTime(2001, 6, 15) };
        Assert.Equal(1, server.Predict(june).Version);
        var history = new List<AliasHistoryEntry>();
        await foreach (var entry in serving.GetAliasHistoryAsync("flight-delays", ModelAliases.Champion))
        {
            history.Add(entry);
        }

        Assert.Equal(champion == 2 ? 3 : 1, history.Count);
    }

    private static async Task Until(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
