using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ModelRetraining.Hosting.Tests;

/// <summary>The folder watcher as a hosted service in a real generic host: files dropped while it runs are stored, bad ones refused, and the host goes on.</summary>
public sealed class FolderIngestionTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mr-host-watch", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static CsvSchema Schema() => new CsvSchema().Numeric("x").Boolean("y").Label("y");

    private void Drop(string name, string content)
    {
        var path = Path.Combine(_root, "inbox", name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc)); // long settled
    }

    // Waits for the service to do its work: bounded, and nothing is asserted about how long it took.
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (done(value) || bound.IsCancellationRequested)
            {
                return value;
            }

            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task FilesDroppedWhileTheHostRuns_AreStored_OrRefusedAndLogged()
    {
        Directory.CreateDirectory(Path.Combine(_root, "inbox"));
        var store = DatasetStore.Embedded(Path.Combine(_root, "store"));
        var logs = new List<(int Id, string Message)>();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(new ListLoggerProvider(logs));
        builder.Services.AddModelRetraining()
            .AddFolderIngestion("orders", Path.Combine(_root, "inbox"), path => CsvDataSource.FromFile(path, Schema()), _ => store, TimeSpan.FromMilliseconds(50), (_, w) => w.SettleTime = TimeSpan.Zero);
        using var host = builder.Build();
        await host.StartAsync();

        Drop("good.csv", "x,y\n1,true\n2,false\n3,true\n");
        Drop("bad.csv", "x,z\n1,true\n");
        var batches = await EventuallyAsync(async () => await store.ListBatchesAsync("orders").ToListAsync(), b => b.Count >= 1);
        var refused = await EventuallyAsync(() => Task.FromResult(File.Exists(Path.Combine(_root, "inbox", "refused", "bad.csv"))), r => r);
        await host.StopAsync();

        var batch = Assert.Single(batches);
        Assert.Equal(3, batch.Rows);
        Assert.True(File.Exists(Path.Combine(_root, "inbox", "processed", "good.csv")));
        Assert.True(refused);
        lock (logs)
        {
            Assert.Contains(logs, l => l.Id == 43 && l.Message.Contains("orders#1", StringComparison.Ordinal));
            Assert.Contains(logs, l => l.Id == 44 && l.Message.Contains("bad.csv", StringComparison.Ordinal));
        }
    }

    private sealed class ListLoggerProvider(List<(int Id, string Message)> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(entries);

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<(int Id, string Message)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (entries)
                {
                    entries.Add((eventId.Id, formatter(state, exception)));
                }
            }
        }
    }
}
