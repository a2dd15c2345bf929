using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using ModelRetraining.Testing.Conformance;
using Npgsql;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>What only the PostgreSQL backend has to get right: its schema across nodes, its connection's failures, and its values.</summary>
public sealed class PostgreSqlRegistryTests : PostgresDatabaseTests
{
    [Fact]
    public async Task Open_ManyNodesAtOnce_ApplyEachMigrationExactlyOnce()
    {
        var nodes = Enumerable.Range(0, 8).Select(_ => Create(Database, "shared")).ToArray();

        await Task.WhenAll(nodes.Select(n => Task.Run(async () => await ((PostgreSqlModelRegistry)n).InitializeWithRetriesAsync(CancellationToken.None))));

        Assert.Equal((long)PostgreSqlRegistry.SchemaVersion, await PostgresServer.ScalarAsync(Database, "SELECT COUNT(*) FROM shared.schema_migrations"));
        var v1 = await ConformanceData.RegisterAsync(nodes[3]);
        Assert.Equal(v1.Artifact, (await nodes[5].GetVersionAsync("churn", 1))?.Artifact);
    }

    [Fact]
    public async Task Open_SchemaNewerThanThePackage_IsRefusedAndNothingChanges()
    {
        var first = Create(Database, "newer");
        await ConformanceData.RegisterAsync(first);
        await PostgresServer.ExecuteAsync(Database, "INSERT INTO newer.schema_migrations VALUES(99, 'from the future', now())");

        var error = await Assert.ThrowsAsync<ModelRegistryException>(async () => await Create(Database, "newer").GetVersionAsync("churn", 1));

        Assert.Contains($"schema version 99, newer than the {PostgreSqlRegistry.SchemaVersion}", error.Message, StringComparison.Ordinal);
        Assert.Contains("schema 'newer'", error.Message, StringComparison.Ordinal);
        Assert.Equal(PostgreSqlRegistry.SchemaVersion + 1L, await PostgresServer.ScalarAsync(Database, "SELECT COUNT(*) FROM newer.schema_migrations"));
        Assert.Equal(1L, await PostgresServer.ScalarAsync(Database, "SELECT COUNT(*) FROM newer.versions"));
    }

    [Fact]
    public async Task Open_NothingListensOnThePort_FailsAfterTheBoundedAttemptsNamingTheServerNotThePassword()
    {
        var port = FreePort();
        var connection = new NpgsqlConnectionStringBuilder(PostgresServer.ServerConnectionString) { Port = port, Database = "nowhere", Timeout = 2 }.ToString();
        var registry = (PostgreSqlModelRegistry)Create(connection, "s", o => { o.StartupAttempts = 3; o.StartupRetryDelay = TimeSpan.FromMilliseconds(50); });

        var error = await Assert.ThrowsAsync<ModelRegistryException>(() => registry.InitializeWithRetriesAsync(CancellationToken.None));

        Assert.Contains($"'127.0.0.1:{port}/nowhere'", error.Message, StringComparison.Ordinal);
        Assert.Contains("could not be reached after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WrongPassword_FailsAtOnceWithTheCauseAndNoRetry()
    {
        var connection = new NpgsqlConnectionStringBuilder(Database) { Password = "not-the-password" }.ToString();
        var registry = (PostgreSqlModelRegistry)Create(connection, "s", o => { o.StartupAttempts = 50; o.StartupRetryDelay = TimeSpan.FromSeconds(10); });

        var error = await Assert.ThrowsAsync<ModelRegistryException>(() => registry.InitializeWithRetriesAsync(CancellationToken.None));

        Assert.Contains("password authentication failed for user \"postgres\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await PostgresServer.ScalarAsync(Database, "SELECT COUNT(*) FROM pg_namespace WHERE nspname = 's'"));
    }

    [Fact]
    public async Task Open_DatabaseThatDoesNotExist_FailsAtOnceNamingIt()
    {
        var connection = new NpgsqlConnectionStringBuilder(Database) { Database = "no_suchDatabase" }.ToString();
        var registry = (PostgreSqlModelRegistry)Create(connection, "s", o => o.StartupRetryDelay = TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<ModelRegistryException>(() => registry.InitializeWithRetriesAsync(CancellationToken.None));

        Assert.Contains("no_suchDatabase", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InvalidOptions_ListsEveryProblem()
    {
        var error = Assert.Throws<OptionsValidationException>(() => PostgreSqlRegistry.Create(Database, new PostgreSqlRegistryOptions
        {
            Schema = "Robert'); DROP TABLE students;--",
            StartupAttempts = 0,
            AliasPollInterval = TimeSpan.Zero,
        }));

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("PostgreSqlRegistryOptions.Schema", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("StartupAttempts must be at least 1", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("AliasPollInterval must be positive", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("user")]
    [InlineData("order")]
    [InlineData("_1")]
    public async Task Schema_ReservedWordOrUnderscore_IsQuotedAndWorks(string schema)
    {
        var registry = Create(Database, schema);
        var v1 = await ConformanceData.RegisterAsync(registry);
        await registry.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "quoted"));

        Assert.Equal(1, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    [Fact]
    public void Create_SchemaOfPostgreSqlItself_IsRefused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => PostgreSqlRegistry.Create(Database, new PostgreSqlRegistryOptions { Schema = "pg_catalog" }));
        Assert.Contains("not 'pg_'", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnreadableConnectionString_IsRefusedWithoutQuotingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => PostgreSqlRegistry.Create("Host=db;Pasword=hunter2;Bogus Key=1"));

        Assert.Contains("connection string cannot be read", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schemas_InOneDatabase_AreSeparateRegistries()
    {
        var a = Create(Database, "team_a");
        var b = Create(Database, "team_b");

        await ConformanceData.RegisterAsync(a);
        await ConformanceData.RegisterAsync(a);

        Assert.Equal(2, (await ConformanceData.ToListAsync(a.ListVersionsAsync("churn"))).Count);
        Assert.Empty(await ConformanceData.ToListAsync(b.ListModelsAsync()));
    }

    [Fact]
    public async Task Values_NonFiniteMetricsTextAndTimes_RoundTrip()
    {
        var at = new DateTimeOffset(2026, 12, 7, 10, 11, 12, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        var registry = Create(Database, "values", o => o.TimeProvider = new FixedClock(at));
        var version = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "modèle.bin", "ünïcode"u8.ToArray()), "zoë")
        {
            Metrics = new Dictionary<string, MetricValue>
            {
                ["AUC"] = new("AUC", double.NaN, MetricDirection.HigherIsBetter),
                ["LogLoss"] = new("LogLoss", double.PositiveInfinity, MetricDirection.LowerIsBetter),
                ["Gap"] = new("Gap", double.NegativeInfinity, MetricDirection.LowerIsBetter),
            },
            Description = "line one\nline two — 日本語",
        });

        var read = (await registry.GetVersionAsync("churn", version.Version))!;

        Assert.True(double.IsNaN(read.Metrics["AUC"].Value));
        Assert.Equal(double.PositiveInfinity, read.Metrics["LogLoss"].Value);
        Assert.Equal(double.NegativeInfinity, read.Metrics["Gap"].Value);
        Assert.Equal("line one\nline two — 日本語", read.Description);
        Assert.Equal("zoë", read.CreatedBy);
        Assert.Equal("modèle.bin", read.ArtifactFileName);
        Assert.Equal(at.UtcTicks - (at.UtcTicks % 10), read.CreatedAt.UtcTicks);
        Assert.Equal(version.CreatedAt, read.CreatedAt);
    }

    [Fact]
    public async Task ReadArtifact_RowDeletedBehindTheRegistry_IsReportedAndNeverServed()
    {
        var registry = Create(Database, "deleted");
        var version = await ConformanceData.RegisterAsync(registry);
        await PostgresServer.ExecuteAsync(Database, "DELETE FROM deleted.artifacts");

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await registry.ReadArtifactAsync(version));

        Assert.Contains($"sha256:{version.Artifact.Sha256} is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("schema 'deleted'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_ArtifactsAndVersionCommitTogether_AFailedRegistrationLeavesNoBytes()
    {
        var registry = Create(Database, "together");
        await ConformanceData.RegisterAsync(registry);

        // A constraint refuses the second version, so its whole registration rolls back, bytes included.
        await PostgresServer.ExecuteAsync(Database, "ALTER TABLE together.versions ADD CONSTRAINT no_more CHECK (version < 2)");
        var error = await Assert.ThrowsAsync<ModelRegistryException>(async () => await ConformanceData.RegisterAsync(registry, content: "refused bytes"));

        Assert.Contains("refused a write; nothing of it was stored", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await PostgresServer.ScalarAsync(Database, "SELECT COUNT(*) FROM together.artifacts"));
        Assert.Equal(1, await PostgresServer.ScalarAsync(Database, "SELECT last_version FROM together.models"));
    }

    [Fact]
    public async Task Health_ReportsAnUnreachableDatabaseAsAProblem()
    {
        var healthy = (IRegistryHealth)Create(Database, "health");
        var unreachable = (IRegistryHealth)Create(new NpgsqlConnectionStringBuilder(Database) { Port = FreePort(), Timeout = 2 }.ToString(), "health");

        Assert.Empty((await healthy.CheckHealthAsync()).Problems);
        var report = await unreachable.CheckHealthAsync();
        Assert.Contains(report.Problems, p => p.Contains("cannot be opened", StringComparison.Ordinal));
    }

    private PostgreSqlModelRegistry Create(string connectionString, string schema, Action<PostgreSqlRegistryOptions>? configure = null)
        => Open(schema, configure, connectionString);

    private static string Password() => new NpgsqlConnectionStringBuilder(PostgresServer.ServerConnectionString).Password ?? "(none)";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}
