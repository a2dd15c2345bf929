using ModelRetraining.MLNet;
using ModelRetraining.Serving;
using QuickStart;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>
/// The database restarted (<c>pg_ctl restart -m fast</c>) while a run trains on the quick start's real
/// pipeline, with a serving node (another registry object and its <see cref="ModelServer{TInput, TOutput}"/>,
/// which never polls) following the champion: the run either rides the restart out or ends Failed naming the
/// cause and is resumed; either way one new version and one alias move. The server keeps serving the
/// champion it has while the database is down, and takes the next promotion through a new LISTEN.
/// </summary>
public sealed class DatabaseRestartTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static readonly (DateTime, DateTime) January = (new(2001, 1, 1), new(2001, 2, 1));
    private static readonly (DateTime, DateTime) February = (new(2001, 2, 1), new(2001, 3, 1));
    private static readonly (DateTime, DateTime) Holdout = (new(2001, 3, 1), new(2001, 3, 15));

    [Fact]
    public async Task ARestartMidTraining_TheRunEndsOnceWithOneVersion_AndTheServerServesOnAndHearsTheNextPromotion()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var training = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(postgres.ConnectionString, new PostgreSqlRegistryOptions { Schema = "restart" });
        Assert.Equal(RetrainingRunStatus.Succeeded, (await FlightDelays.Pipeline(training, FlightDelays.DataFile, January, Holdout).Build().RunAsync()).Status);
        await using var serving = (PostgreSqlModelRegistry)PostgreSqlRegistry.Create(postgres.ConnectionString, new PostgreSqlRegistryOptions { Schema = "restart" });
        await using var server = new ModelServer<FlightRow, FlightScore>(serving, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) });
        await server.StartAsync();
        await serving.ListeningStarted.WaitAsync(Bound);
        Assert.Equal(1, server.Current?.Version);

        // The second run waits in training until the database has restarted, then goes on.
        var training2 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = FlightDelays.Pipeline(training, FlightDelays.DataFile, February, Holdout)
            .DecorateTrainer(t => new TrainerThatWaits(t, training2, restarted.Task))
            .Build();
        var running = Task.Run(async () => await pipeline.RunAsync(new RetrainingRunOptions { RunId = "run-2" }));
        await training2.Task.WaitAsync(Bound);

        await postgres.RestartAsync();
        var june = new FlightRow { Distance = 1_000, DayOfWeek = 5, Origin = "ORD", Destination = "LGA", Date = new DateTime(2001, 6, 15) };
        Assert.Equal(1, server.Predict(june).Version); // serving never needed the database
        restarted.SetResult();
        var result = await running.WaitAsync(Bound);
        output.WriteLine($"the run through the restart: {result.Status} {result.Exception?.Message}");
        if (result.Status == RetrainingRunStatus.Failed)
        {
            Assert.NotNull(result.Exception); // the cause is named; the run resumes from its journal
            result = await pipeline.ResumeAsync("run-2").AsTask().WaitAsync(Bound);
        }

        Assert.True(result.Status is RetrainingRunStatus.Succeeded or RetrainingRunStatus.Rejected, $"{result.Status}: {string.Join(" | ", result.Reasons)} {result.Exception}");
        var versions = new List<ModelVersion>();
        await foreach (var version in training.ListVersionsAsync("flight-delays"))
        {
            versions.Add(version);
        }

        Assert.Single(versions, v => v.RunId == "run-2");
        var champion = (await training.GetAliasAsync("flight-delays", ModelAliases.Champion))!.Version;
        using (var timeout = new CancellationTokenSource(Bound))
        {
            while (server.Current?.Version != champion)
            {
                await Task.Delay(50, timeout.Token); // only a new LISTEN (or its re-read after reconnecting) brings it: the poll is hourly
            }
        }

        // And a move after the restart, by an operator (back to v1, or on to v2 if the gate kept v1): heard as well.
        var run2 = versions.Single(v => v.RunId == "run-2").Version;
        var entry = champion == run2
            ? await training.RollbackAsync(new RollbackRequest("flight-delays", champion, "oncall", "tests: after the restart"))
            : await training.SetAliasAsync(new AliasChange("flight-delays", ModelAliases.Champion, run2, champion, "oncall", "tests: after the restart"));
        var back = entry.ToVersion;
        using (var timeout = new CancellationTokenSource(Bound))
        {
            while (server.Current?.Version != back)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    private sealed class TrainerThatWaits(ITrainer inner, TaskCompletionSource started, Task until) : DelegatingTrainer(inner)
    {
        public override async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            started.TrySetResult();
            await until.WaitAsync(cancellationToken);
            return await base.TrainAsync(training, context, cancellationToken);
        }
    }
}
