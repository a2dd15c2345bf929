using System.Diagnostics;
using System.Text;

namespace ModelRetraining.Tests;

public class SqliteModelRegistryTests
{
    private static ValueTask<ModelVersion> RegisterAsync(IModelRegistry registry, string content)
        => registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes(content)), "tester"));

    [Fact]
    public async Task Embedded_ReopenedOnTheSameFolder_KeepsVersionsAliasesAndHistory()
    {
        var folder = TestData.TempFolder();
        var first = ModelRegistry.Embedded(folder);
        var v1 = await RegisterAsync(first, "a");
        await first.SetAliasAsync(new AliasChange("churn", ModelAliases.Champion, v1.Version, null, "alice", "first"));

        var reopened = ModelRegistry.Embedded(folder);
        Assert.Equal(1, (await reopened.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
        Assert.Equal(2, (await RegisterAsync(reopened, "b")).Version);
        Assert.True(File.Exists(Path.Combine(folder, "registry.db")));
        Assert.Equal("wal", ReadJournalMode(folder));
    }

    [Fact]
    public async Task Embedded_WithAnotherArtifactStore_KeepsArtifactsThereAndMetadataInSqlite()
    {
        var folder = TestData.TempFolder();
        var elsewhere = TestData.TempFolder();
        var registry = ModelRegistry.Embedded(folder, new EmbeddedRegistryOptions { ArtifactStore = ModelRegistry.LocalArtifactStore(elsewhere) });
        var version = await RegisterAsync(registry, "stored elsewhere");
        Assert.False(Directory.Exists(Path.Combine(folder, "artifacts")));
        Assert.True(File.Exists(Path.Combine(elsewhere, "sha256", version.Artifact.Sha256[..2], version.Artifact.Sha256)));
        Assert.Equal("stored elsewhere", Encoding.UTF8.GetString((await registry.ReadArtifactAsync(version)).Content.Span));
    }

    [Fact]
    public async Task Embedded_SameBytesTwice_StoresOneArtifactFile()
    {
        var folder = TestData.TempFolder();
        var registry = ModelRegistry.Embedded(folder);
        var a = await RegisterAsync(registry, "same");
        var b = await RegisterAsync(registry, "same");
        Assert.Equal(a.Artifact, b.Artifact);
        Assert.Single(Directory.GetFiles(Path.Combine(folder, "artifacts", "sha256"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "artifacts", "tmp")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Embedded_ReadOnlyFolder_RefusesWithTheFolderNamedAndWritesNothing()
    {
        var folder = TestData.TempFolder();
        var registry = ModelRegistry.Embedded(folder);
        await RegisterAsync(registry, "a");
        var before = await AuditCountAsync(registry);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var readOnly = ModelRegistry.Embedded(folder);
            var error = await Assert.ThrowsAsync<ModelRegistryException>(async () => await RegisterAsync(readOnly, "b"));
            Assert.Contains(folder, error.Message, StringComparison.Ordinal);
            Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Assert.Equal(before, await AuditCountAsync(ModelRegistry.Embedded(folder)));
        Assert.Equal(1, (await ModelRegistry.Embedded(folder).GetVersionAsync("churn", 1))?.Version);
        Assert.Null(await ModelRegistry.Embedded(folder).GetVersionAsync("churn", 2));
    }

    [Fact]
    public async Task Embedded_TwoProcessesOnOneFile_NumberVersionsOnceAndKeepAConsistentAliasHistory()
    {
        var folder = TestData.TempFolder();
        const int perProcess = 15;
        var worker = Path.Combine(AppContext.BaseDirectory, "ModelRetraining.RegistryWorker.dll");
        Assert.True(File.Exists(worker), $"worker not built at {worker}");

        var processes = Enumerable.Range(0, 2).Select(i => Process.Start(new ProcessStartInfo("dotnet", [worker, folder, "churn", perProcess.ToString(System.Globalization.CultureInfo.InvariantCulture), $"worker{i}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!).ToArray();
        var outputs = new List<string>();
        foreach (var process in processes)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var stdout = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"worker failed: {stdout} {stderr}");
            outputs.Add(stdout);
        }

        var registry = ModelRegistry.Embedded(folder);
        var versions = new List<ModelVersion>();
        await foreach (var v in registry.ListVersionsAsync("churn"))
        {
            versions.Add(v);
        }

        Assert.Equal(Enumerable.Range(1, 2 * perProcess), versions.Select(v => v.Version));
        Assert.Equal(2 * perProcess, versions.Select(v => v.Artifact.Sha256).Distinct().Count());

        var history = new List<AliasHistoryEntry>();
        await foreach (var entry in registry.GetAliasHistoryAsync("churn", ModelAliases.Champion))
        {
            history.Add(entry);
        }

        // Every move starts where the previous one ended: no lost update, whichever process won each race.
        Assert.Null(history[0].FromVersion);
        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i - 1].ToVersion, history[i].FromVersion);
        }

        var promoted = outputs.Sum(o => int.Parse(o.Split("promoted=")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(promoted, history.Count);
        Assert.Equal(history[^1].ToVersion, (await registry.GetAliasAsync("churn", ModelAliases.Champion))?.Version);
    }

    private static string ReadJournalMode(string folder)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "registry.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string)command.ExecuteScalar()!;
    }

    private static async Task<int> AuditCountAsync(IModelRegistry registry)
    {
        var count = 0;
        await foreach (var _ in registry.GetAuditEventsAsync("churn"))
        {
            count++;
        }

        return count;
    }
}
