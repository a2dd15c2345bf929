using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using ModelRetraining.Tests.Data;

namespace ModelRetraining.Tests.Datasets;

/// <summary>The folder watcher on a real folder, with a fake clock deciding when a file has settled (no test waits on time).</summary>
public sealed class DatasetFolderWatcherTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mr-watch", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly DatasetStore _store;
    private readonly DatasetFolderWatcher _watcher;

    public DatasetFolderWatcherTests()
    {
        _store = DatasetStore.Embedded(Path.Combine(_root, "store"), _time);
        _watcher = new DatasetFolderWatcher(_store, "orders", Path.Combine(_root, "inbox"), path => CsvDataSource.FromFile(path, Csv.SyntheticSchema()), _time);
        Directory.CreateDirectory(Path.Combine(_root, "inbox"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private string Inbox(string name) => Path.Combine(_root, "inbox", name);

    private void Drop(string name, int rows)
    {
        File.Copy(Csv.Synthetic(rows), Inbox(name));
        File.SetLastWriteTimeUtc(Inbox(name), _time.GetUtcNow().UtcDateTime);
    }

    private async Task<int> BatchesAsync()
    {
        var n = 0;
        await foreach (var _ in _store.ListBatchesAsync("orders"))
        {
            n++;
        }

        return n;
    }

    [Fact]
    public async Task ADroppedFile_IsTakenOnceItSettled_StoredOnce_AndMovedToProcessed()
    {
        Drop("monday.csv", 100);
        var first = await _watcher.ScanAsync();
        Assert.Equal(["monday.csv"], first.Waiting);          // first seen: not yet known to be complete

        _time.Advance(TimeSpan.FromSeconds(11));
        var second = await _watcher.ScanAsync();
        var batch = Assert.Single(second.Stored);
        Assert.Equal(100, batch.Rows);
        Assert.False(File.Exists(Inbox("monday.csv")));
        Assert.True(File.Exists(Path.Combine(_root, "inbox", "processed", "monday.csv")));

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Empty((await _watcher.ScanAsync()).Stored);
        Assert.Equal(1, await BatchesAsync());
    }

    [Fact]
    public async Task AFileStillGrowing_IsNotPickedUp_UntilItStops()
    {
        Drop("growing.csv", 50);
        await _watcher.ScanAsync();
        _time.Advance(TimeSpan.FromSeconds(11));
        await File.AppendAllTextAsync(Inbox("growing.csv"), "2001-01-03 00:00:00,1.5,a,true\n");
        File.SetLastWriteTimeUtc(Inbox("growing.csv"), _time.GetUtcNow().UtcDateTime);
        Assert.Equal(["growing.csv"], (await _watcher.ScanAsync()).Waiting);

        _time.Advance(TimeSpan.FromSeconds(11));
        var stored = Assert.Single((await _watcher.ScanAsync()).Stored);
        Assert.Equal(51, stored.Rows);
    }

    [Fact]
    public async Task AFileAWriterStillHoldsOpen_IsLeftForALaterScan()
    {
        Drop("open.csv", 20);
        await _watcher.ScanAsync();
        _time.Advance(TimeSpan.FromSeconds(11));
        using (new FileStream(Inbox("open.csv"), FileMode.Open, FileAccess.Write, FileShare.Read))
        {
            Assert.Equal(["open.csv"], (await _watcher.ScanAsync()).Waiting);
        }

        Assert.Single((await _watcher.ScanAsync()).Stored);
    }

    [Fact]
    public async Task ABadFile_IsMovedToRefused_WithTheReasonBesideIt_AndNothingIsStored()
    {
        File.WriteAllText(Inbox("renamed.csv"), "date,distance,cat,y\n2001-01-01,1,a,true\n");
        File.SetLastWriteTimeUtc(Inbox("renamed.csv"), _time.GetUtcNow().UtcDateTime);
        await _watcher.ScanAsync();
        _time.Advance(TimeSpan.FromSeconds(11));
        var scan = await _watcher.ScanAsync();

        var (file, reason) = Assert.Single(scan.Refused);
        Assert.Equal("renamed.csv", file);
        Assert.Contains("Column 'x'", reason, StringComparison.Ordinal);
        Assert.Equal(reason, await File.ReadAllTextAsync(Path.Combine(_root, "inbox", "refused", "renamed.csv.reason.txt")));
        Assert.Equal(0, await BatchesAsync());
    }
}
