using System.Collections.Concurrent;
using ModelRetraining.Testing.Conformance;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>
/// Two registry objects on one schema stand for two nodes (each has its own pool and its own listening
/// connection): a move on one is raised on the other through LISTEN/NOTIFY, and one lost while the listener
/// was disconnected is raised after it reconnects.
/// </summary>
public sealed class AliasNotificationTests : PostgresDatabaseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AliasMoved_OnAnotherNode_IsRaisedHereWithTheCommittedEntry()
    {
        var writer = Create();
        var reader = Create();
        var v1 = await ConformanceData.RegisterAsync(writer);
        var heard = new ConcurrentQueue<AliasHistoryEntry>();
        reader.AliasMoved += (_, e) => heard.Enqueue(e.Entry);
        await reader.ListeningStarted.WaitAsync(Bound);

        var moved = await writer.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));

        await Until(() => !heard.IsEmpty);
        Assert.Equal(moved, Assert.Single(heard));
    }

    [Fact]
    public async Task AliasMoved_HereAndHeardBack_IsRaisedOnce()
    {
        var node = Create();
        var v1 = await ConformanceData.RegisterAsync(node);
        var v2 = await ConformanceData.RegisterAsync(node);
        var heard = new ConcurrentQueue<AliasHistoryEntry>();
        node.AliasMoved += (_, e) => heard.Enqueue(e.Entry);
        await node.ListeningStarted.WaitAsync(Bound);

        await node.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));
        await node.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v2.Version, v1.Version, "alice", "second"));

        // A third node's move is a marker: once it is heard, any echo of the first two would have been too.
        var other = Create();
        await other.SetAliasAsync(new AliasChange("churn", "staging", v1.Version, null, "bob", "marker"));
        await Until(() => heard.Any(e => e.Alias == "staging"));
        Assert.Equal(["champion:1", "champion:2", "staging:1"], heard.Select(e => $"{e.Alias}:{e.ToVersion}"));
    }

    [Fact]
    public async Task AliasMoved_WhileTheListenerWasCutOff_IsRaisedAfterItReconnects()
    {
        var writer = Create();
        var reader = Create(o => o.AliasPollInterval = TimeSpan.FromMilliseconds(300));
        var v1 = await ConformanceData.RegisterAsync(writer);
        var heard = new ConcurrentQueue<AliasHistoryEntry>();
        reader.AliasMoved += (_, e) => heard.Enqueue(e.Entry);
        await reader.ListeningStarted.WaitAsync(Bound);

        // The server ends the listening session (as a failover or a restart would), then the move happens.
        var killed = await PostgresServer.ScalarAsync(Database, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'");
        Assert.Equal(1L, killed);
        var moved = await writer.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "while cut off"));

        await Until(() => !heard.IsEmpty);
        Assert.Equal(moved, Assert.Single(heard));
    }

    [Fact]
    public async Task AliasMoved_BetweenSubscribingAndListening_IsStillRaised()
    {
        var writer = Create();
        var reader = Create();
        var v1 = await ConformanceData.RegisterAsync(writer);
        var heard = new ConcurrentQueue<AliasHistoryEntry>();

        reader.AliasMoved += (_, e) => heard.Enqueue(e.Entry);
        var moved = await writer.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "before LISTEN"));

        await reader.ListeningStarted.WaitAsync(Bound);
        await Until(() => !heard.IsEmpty);
        Assert.Equal(moved, Assert.Single(heard));
    }

    [Fact]
    public async Task Dispose_TwiceAfterListening_StopsTheListenerOnce()
    {
        var node = Create();
        node.AliasMoved += (_, _) => { };
        await node.ListeningStarted.WaitAsync(Bound);

        await node.DisposeAsync();
        await node.DisposeAsync();

        await Until(async () => (long)(await PostgresServer.ScalarAsync(Database, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND state = 'idle'"))! == 0);
    }

    [Fact]
    public async Task AliasMoved_ListeningTurnedOff_OnlyThisNodesMovesAreRaised()
    {
        var writer = Create();
        var reader = Create(o => o.ListenForAliasMoves = false);
        var v1 = await ConformanceData.RegisterAsync(writer);
        var heard = new ConcurrentQueue<AliasHistoryEntry>();
        reader.AliasMoved += (_, e) => heard.Enqueue(e.Entry);

        await writer.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "elsewhere"));
        await reader.SetAliasAsync(new AliasChange("churn", "staging", v1.Version, null, "bob", "here"));

        Assert.Equal(["staging"], heard.Select(e => e.Alias));
        Assert.Equal(0L, await PostgresServer.ScalarAsync(Database, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'"));
    }

    private PostgreSqlModelRegistry Create(Action<PostgreSqlRegistryOptions>? configure = null) => Open("nodes", configure);

    private static async Task Until(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
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
