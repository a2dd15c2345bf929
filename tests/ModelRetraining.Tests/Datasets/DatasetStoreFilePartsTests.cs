using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.Tests.Data;

namespace ModelRetraining.Tests.Datasets;

/// <summary>
/// <see cref="DatasetStore.AppendAsync"/> of a CSV file of two parts or more reads it in parts, several at
/// once: the batch is stored in parts, reads back as the file, is the same whatever the parallelism, and a
/// bad value in a late part refuses the whole batch naming the file's row, with nothing stored.
/// </summary>
public sealed class DatasetStoreFilePartsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-datasets", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task ALargeFile_IsStoredInParts_AndReadsBackAsTheFile(int parallelism)
    {
        var path = Csv.Synthetic(6_000);
        var store = DatasetStore.Embedded(Path.Combine(_folder, $"p{parallelism}"));
        store.FilePartBytes = 1L << 16;
        store.ReadParallelism = parallelism;

        var batch = await store.AppendAsync("hours", CsvDataSource.FromFile(path, Csv.SyntheticSchema()), "bot", idempotencyKey: "k1");

        Assert.True(batch.Parts.Count >= 3, $"{batch.Parts.Count} parts");
        Assert.Equal(6_000, batch.Rows);
        Assert.Equal(path, batch.Source);
        var whole = await CsvDataSource.FromFile(path, Csv.SyntheticSchema()).LoadAsync(Csv.Context);
        var stored = await store.Window("hours", labelColumn: "y", timeColumn: "date").LoadAsync(Csv.Context);
        Assert.Equal(whole.Data.GetColumn<float>("x"), stored.Data.GetColumn<float>("x"));
        Assert.Equal(whole.Data.GetColumn<DateTime>("date"), stored.Data.GetColumn<DateTime>("date"));
        Assert.Equal(whole.Data.GetColumn<ReadOnlyMemory<char>>("cat").Select(c => c.ToString()), stored.Data.GetColumn<ReadOnlyMemory<char>>("cat").Select(c => c.ToString()));

        // The cut does not depend on the parallelism: the same file gives the same batch fingerprint.
        var sequential = DatasetStore.Embedded(Path.Combine(_folder, $"s{parallelism}"));
        sequential.FilePartBytes = 1L << 16;
        sequential.ReadParallelism = 1;
        Assert.Equal(batch.Fingerprint, (await sequential.AppendAsync("hours", CsvDataSource.FromFile(path, Csv.SyntheticSchema()), "bot")).Fingerprint);

        // Sent again under its key: the stored batch, not a second one.
        Assert.Equal(batch, await store.AppendAsync("hours", CsvDataSource.FromFile(path, Csv.SyntheticSchema()), "bot", idempotencyKey: "k1"));
        Assert.Single(await store.ListBatchesAsync("hours").ToListAsync());
    }

    [Fact]
    public async Task ABadValueInALatePart_RefusesTheBatch_NamingTheFilesRow_AndStoresNothing()
    {
        var path = Csv.Synthetic(6_000, label: i => i == 5_500 ? "perhaps" : "true");
        var store = DatasetStore.Embedded(_folder);
        store.FilePartBytes = 1L << 16;
        store.ReadParallelism = 2;

        var error = await Assert.ThrowsAsync<DatasetBatchRefusedException>(async () => await store.AppendAsync("hours", CsvDataSource.FromFile(path, Csv.SyntheticSchema()), "bot"));

        Assert.Contains("data row 5501 (line 5502)", error.Message, StringComparison.Ordinal);
        Assert.Contains("(part ", error.Message, StringComparison.Ordinal);
        Assert.All(error.Issues, issue => Assert.Equal(5_501, issue.Row)); // the value, and the label it leaves missing
        Assert.Empty(await store.ListBatchesAsync("hours").ToListAsync());
        Assert.False(Directory.Exists(Path.Combine(_folder, "artifacts")) && Directory.EnumerateFiles(Path.Combine(_folder, "artifacts"), "*", SearchOption.AllDirectories).Any(), "no rows were stored");
    }

    [Fact]
    public void PartSizeAndParallelism_OutOfRange_AreRefused_NamingTheSetting()
    {
        var store = DatasetStore.Embedded(_folder);

        Assert.Null(store.FilePartBytes); // files are read whole unless the host asks for parts
        Assert.Equal("FilePartBytes", Assert.Throws<ArgumentOutOfRangeException>(() => store.FilePartBytes = 1_000).ParamName);
        Assert.Equal("ReadParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => store.ReadParallelism = 0).ParamName);
    }
}
