using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelRetraining.Testing;
using Npgsql;

namespace ModelRetraining.PostgreSql.Tests;

public sealed class PostgreSqlDependencyInjectionTests
{
    [Fact]
    public async Task UsePostgreSql_HostStarts_SchemaIsCreatedAndPipelinesUseTheRegistryJournalAndApprovals()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelRetraining()
            .UsePostgreSql(database, o => o.Schema = "retraining")
            .AddPipeline("churn", (p, _) => p
                .UseTrainingData(new FakeDataSource("train.csv", (_, _) => Snapshot("train")))
                .UseHoldoutData(new FakeDataSource("holdout.csv", (_, _) => Snapshot("holdout")))
                .UseTrainer(new FakeTrainer())
                .UseEvaluator(new FakeEvaluator { CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.8, MetricDirection.HigherIsBetter)) })
                .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5)));
        using var host = builder.Build();

        await host.StartAsync();
        Assert.Equal((long)PostgreSqlRegistry.SchemaVersion, await PostgresServer.ScalarAsync(database, "SELECT COUNT(*) FROM retraining.schema_migrations"));

        var pipeline = host.Services.GetRequiredKeyedService<RetrainingPipeline>("churn");
        var result = await pipeline.RunAsync();
        await host.StopAsync();

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.Same(host.Services.GetRequiredService<IModelRegistry>(), host.Services.GetRequiredService<IRunJournal>());
        Assert.Same(host.Services.GetRequiredService<IModelRegistry>(), host.Services.GetRequiredService<IApprovalStore>());
        Assert.Equal(1, await PostgresServer.ScalarAsync(database, "SELECT version FROM retraining.aliases WHERE model = 'churn' AND alias = 'champion'"));
        Assert.True((long)(await PostgresServer.ScalarAsync(database, $"SELECT COUNT(*) FROM retraining.run_journal WHERE run_id = '{result.RunId}'"))! >= 8);
    }

    [Fact]
    public async Task UsePostgreSql_DatabaseUnreachable_HostStartFailsWithTheCauseAfterBoundedRetries()
    {
        var connection = new NpgsqlConnectionStringBuilder(PostgresServer.ServerConnectionString) { Port = FreePort(), Database = "registry", Timeout = 2 }.ToString();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelRetraining().UsePostgreSql(connection, o => { o.StartupAttempts = 2; o.StartupRetryDelay = TimeSpan.FromMilliseconds(10); });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<ModelRegistryException>(() => host.StartAsync());

        Assert.Contains("could not be reached after 2 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsePostgreSql_InvalidOptions_HostStartFailsWithEveryProblem()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelRetraining().UsePostgreSql("Host=127.0.0.1;Database=x", o => { o.Schema = "Has Spaces"; o.StartupRetryDelay = TimeSpan.FromSeconds(-1); });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("Schema 'Has Spaces' is not allowed", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("StartupRetryDelay must not be negative", StringComparison.Ordinal));
    }

    private static DatasetSnapshot Snapshot(string name)
    {
        var ml = new Microsoft.ML.MLContext(0);
        var rows = Enumerable.Range(0, 50).Select(i => new Row { Feature = i, Label = i % 2 == 0 }).ToArray();
        var schema = new DataSchema([new DataColumn("Feature", DataColumnKind.Numeric), new DataColumn("Label", DataColumnKind.Boolean)], "Label");
        return new DatasetSnapshot(name, ml.Data.LoadFromEnumerable(rows), schema, rows.Length, $"sha256:{name}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Row
    {
        public float Feature { get; set; }

        public bool Label { get; set; }
    }
}
