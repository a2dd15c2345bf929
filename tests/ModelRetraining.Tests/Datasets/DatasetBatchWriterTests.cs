using Microsoft.Data.Sqlite;
using Microsoft.ML;
using Microsoft.ML.Data;

using ModelRetraining.Tests.Data;

namespace ModelRetraining.Tests.Datasets;

/// <summary>A batch stored in parts: one batch, read back in order, refused whole, pruned whole, and older stores upgraded in place.</summary>
public sealed class DatasetBatchWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-batch-writer", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private DatasetStore Store() => DatasetStore.Embedded(_folder);

    private static IDataSource Rows(string name, int count, int offset = 0)
        => DataSource.FromEnumerable(name, () => Enumerable.Range(offset, count).Select(i => new TestData.Row { X = i, Label = i % 3 == 0 }), labelColumn: "Label");

    private int StoredBlobs() => Directory.Exists(Path.Combine(_folder, "artifacts")) ? Directory.GetFiles(Path.Combine(_folder, "artifacts"), "*", SearchOption.AllDirectories).Length : 0;

    private static async Task<DatasetBatch> ThreePartsAsync(DatasetStore store, string dataset = "orders")
    {
        var writer = store.BeginBatch(dataset, "bot");
        await using (writer)
        {
            await writer.AddPartAsync(Rows("part 1", 40));
            await writer.AddPartAsync(Rows("part 2", 30, offset: 40));
            await writer.AddPartAsync(Rows("part 3", 30, offset: 70));
            Assert.Equal((3, 100L), (writer.Parts, writer.Rows));
            return await writer.CommitAsync("three parts");
        }
    }

    [Fact]
    public async Task PartsMakeOneBatch_ThatReadsBackAsItsRowsInOrder()
    {
        var store = Store();
        var batch = await ThreePartsAsync(store);

        Assert.Equal(("orders#1", 100L, 3, "three parts"), (batch.Id, batch.Rows, batch.Parts.Count, batch.Source));
        Assert.Equal(batch, await store.ListBatchesAsync("orders").SingleAsync());
        var window = await store.Window("orders", labelColumn: "Label").LoadAsync(Csv.Context);
        Assert.Equal((await Rows("all", 100).LoadAsync(Csv.Context)).Fingerprint, window.Fingerprint);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), window.Data.GetColumn<float>("X"));
    }

    [Fact]
    public async Task OnePart_IsStoredAsAnAppendStoresIt()
    {
        var store = Store();
        var writer = store.BeginBatch("orders", "bot");
        await using (writer)
        {
            await writer.AddPartAsync(Rows("monday", 50));
            var batch = await writer.CommitAsync();
            Assert.Equal([batch.Content], batch.Parts);
            Assert.Equal((await Rows("monday", 50).LoadAsync(Csv.Context)).Fingerprint, batch.Fingerprint);
        }
    }

    [Fact]
    public async Task APartWithOtherColumns_RefusesTheBatch_StoresNothing_AndClosesTheWriter()
    {
        var store = Store();
        var writer = store.BeginBatch("orders", "bot");
        await using (writer)
        {
            await writer.AddPartAsync(Rows("part 1", 40));
            var other = DataSource.FromEnumerable("part 2", () => new[] { new { X = 1f, Y = "z" } });
            var refused = await Assert.ThrowsAsync<DatasetBatchRefusedException>(async () => await writer.AddPartAsync(other));
            Assert.Contains("Part 2 of the batch for 'orders' ('part 2') has other columns", refused.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CommitAsync());
        }

        Assert.Empty(await store.ListBatchesAsync("orders").ToListAsync());
        Assert.Equal(0, StoredBlobs());
    }

    [Fact]
    public async Task AWriterDisposedBeforeItsCommit_LeavesNothingInTheStore()
    {
        var store = Store();
        var writer = store.BeginBatch("orders", "bot");
        await using (writer)
        {
            await writer.AddPartAsync(Rows("part 1", 40));
            await writer.AddPartAsync(Rows("part 2", 40, offset: 40));
        }

        Assert.Empty(await store.ListBatchesAsync("orders").ToListAsync());
        Assert.Equal(0, StoredBlobs());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.AddPartAsync(Rows("late", 1)));
    }

    [Fact]
    public async Task Retention_DeletesEveryPartOfAPrunedBatch()
    {
        var store = Store();
        await ThreePartsAsync(store);
        await store.AppendAsync("orders", Rows("later", 10, offset: 500), "bot");
        Assert.Equal(4, StoredBlobs());

        var result = await store.PruneAsync("orders", new DatasetRetention { KeepBatches = 1 }, new PipelineFixture().Registry);

        Assert.Equal(["orders#1"], result.Deleted.Select(b => b.Id));
        Assert.Equal(1, StoredBlobs());
        Assert.Equal(result.Deleted.Single().Parts.Sum(p => p.Length), result.BytesReclaimed);
    }

    [Fact]
    public async Task AStoreOfTheFirstSchema_IsUpgradedInPlace_KeepingItsBatches()
    {
        var first = await Store().AppendAsync("orders", Rows("monday", 20), "bot");
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "datasets.db")};Pooling=False"))
        {
            // Back to version 1 as an older package left it: no parts column, no parts table.
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE batch_parts; ALTER TABLE batches DROP COLUMN parts; PRAGMA user_version = 1;";
            command.ExecuteNonQuery();
        }

        var store = Store();
        Assert.Equal([first], await store.ListBatchesAsync("orders").ToListAsync());
        var second = await ThreePartsAsync(store);
        Assert.Equal(("orders#2", 3), (second.Id, second.Parts.Count));
        Assert.Equal(120, (await store.Window("orders", labelColumn: "Label").LoadAsync(Csv.Context)).RowCount);
    }
}
