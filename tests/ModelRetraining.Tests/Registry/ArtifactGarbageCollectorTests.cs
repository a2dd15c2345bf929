using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using ModelRetraining.Tests.Data;

namespace ModelRetraining.Tests.Registry;

/// <summary>
/// Garbage collection of an embedded registry's folder, shared with a dataset store: only old artifacts that no
/// version, attachment or dataset batch names go, and only when asked; young writes and bytes stored again are spared.
/// </summary>
public sealed class ArtifactGarbageCollectorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-gc", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string PathOf(ArtifactReference reference) => Path.Combine(_folder, "artifacts", "sha256", reference.Sha256[..2], reference.Sha256);

    private void Age(ArtifactReference reference, TimeSpan by) => File.SetLastWriteTimeUtc(PathOf(reference), DateTime.UtcNow - by);

    [Fact]
    public async Task OnlyOldUnreferencedArtifactsGo_AndOnlyWhenAsked_VersionsAttachmentsBatchesAndYoungWritesStay()
    {
        var registry = ModelRegistry.Embedded(_folder);
        var datasets = DatasetStore.Embedded(_folder); // the same artifacts folder
        var store = registry.GetService<IArtifactStore>()!;
        var version = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes("the model")), "alice")
        {
            Attachments = new Dictionary<string, ModelArtifact> { ["profile"] = new("profile", "profile.json", Encoding.UTF8.GetBytes("{\"rows\":100}")) },
        });
        var batch = await datasets.AppendAsync("orders", DataSource.FromEnumerable("monday.json", () => Enumerable.Range(0, 50).Select(i => new TestData.Row { X = i, Label = i % 2 == 0 }), labelColumn: "Label"), "bot");
        var orphan = await store.PutAsync(RandomNumberGenerator.GetBytes(5000)); // a registration that died before its row
        var young = await store.PutAsync(RandomNumberGenerator.GetBytes(300));  // a registration in flight
        foreach (var old in new[] { version.Artifact, batch.Content, orphan })
        {
            Age(old, TimeSpan.FromDays(3));
        }

        foreach (var attachment in version.Attachments)
        {
            Age(attachment.Artifact, TimeSpan.FromDays(3));
        }

        IArtifactReferenceSource[] sources = [registry.GetService<IArtifactReferenceSource>()!, datasets];
        var dryRun = await ArtifactGarbageCollector.CollectAsync(store, sources);

        Assert.True(dryRun.DryRun);
        Assert.Equal(orphan, Assert.Single(dryRun.Unreferenced).Reference);
        Assert.Equal(1, dryRun.SparedAsTooYoung);
        Assert.Equal(5, dryRun.Stored);
        Assert.Equal(3, dryRun.Referenced);
        Assert.Equal(0, dryRun.Deleted);
        Assert.True(File.Exists(PathOf(orphan)));

        var collected = await ArtifactGarbageCollector.CollectAsync(store, sources, new ArtifactCollectionOptions { DryRun = false });

        Assert.Equal((1, 5000L), (collected.Deleted, collected.DeletedBytes));
        Assert.False(File.Exists(PathOf(orphan)));
        Assert.True(File.Exists(PathOf(young)));
        Assert.Equal("the model", Encoding.UTF8.GetString((await registry.ReadArtifactAsync(version)).Content.Span));
        Assert.Equal(50, (await datasets.Window("orders").LoadAsync(Csv.Context)).RowCount);
    }

    [Fact]
    public async Task BytesStoredAgainAfterTheListing_AreNotDeleted()
    {
        var registry = ModelRegistry.Embedded(_folder);
        var store = registry.GetService<IArtifactStore>()!;
        var bytes = RandomNumberGenerator.GetBytes(100);
        var reference = await store.PutAsync(bytes);
        Age(reference, TimeSpan.FromDays(3));
        var inventory = (IArtifactInventory)store;
        var listed = await inventory.ListAsync().SingleAsync();

        await store.PutAsync(bytes); // a new version reuses the bytes between the listing and the delete

        Assert.False(await inventory.DeleteAsync(listed));
        Assert.True(File.Exists(PathOf(reference)));
    }

    [Fact]
    public async Task CollectionsRacingRegistrationsThatReuseOldOrphanBytes_NeverLoseAVersionsArtifact()
    {
        var registry = ModelRegistry.Embedded(_folder);
        await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes("v1")), "alice"));
        var store = registry.GetService<IArtifactStore>()!;
        var orphans = new List<byte[]>();
        for (var i = 0; i < 24; i++)
        {
            var bytes = RandomNumberGenerator.GetBytes(512 + i);
            Age(await store.PutAsync(bytes), TimeSpan.FromDays(3));
            orphans.Add(bytes);
        }

        IArtifactReferenceSource[] sources = [registry.GetService<IArtifactReferenceSource>()!];
        using var done = new CancellationTokenSource();
        var collecting = Task.Run(async () =>
        {
            var deleted = 0;
            while (!done.IsCancellationRequested)
            {
                deleted += (await ArtifactGarbageCollector.CollectAsync(store, sources, new ArtifactCollectionOptions { DryRun = false })).Deleted;
            }

            return deleted;
        });
        var versions = await Task.WhenAll(orphans.Select((bytes, i) => Task.Run(async () =>
            await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", $"model-{i}.bin", bytes), "bob")))));
        await done.CancelAsync();
        await collecting;

        foreach (var version in versions)
        {
            // Every version registered during the collections still loads, hash-verified.
            Assert.True((await registry.ReadArtifactAsync(version)).Content.Length > 0);
        }
    }

    [Fact]
    public async Task AVersionRegisteredDuringTheCollection_ReusingOrphanBytes_KeepsThem()
    {
        var registry = ModelRegistry.Embedded(_folder);
        await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes("v1")), "alice"));
        var store = registry.GetService<IArtifactStore>()!;
        var bytes = RandomNumberGenerator.GetBytes(700);
        Age(await store.PutAsync(bytes), TimeSpan.FromDays(3));
        ModelVersion? registered = null;
        var source = new HookedSource(registry.GetService<IArtifactReferenceSource>()!, async call =>
        {
            if (call == 2)
            {
                // After the store was listed (the orphan is a candidate) and before anything is deleted.
                registered = await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "reused.bin", bytes), "bob"));
            }
        });

        var report = await ArtifactGarbageCollector.CollectAsync(store, [source], new ArtifactCollectionOptions { DryRun = false });

        Assert.Single(report.Unreferenced);
        Assert.Equal(0, report.Deleted);
        Assert.Equal(bytes, (await registry.ReadArtifactAsync(registered!)).Content.ToArray());
    }

    [Fact]
    public async Task NoSources_OrANegativeAge_OrAStoreThatCannotList_AreRefusedWithNothingDeleted()
    {
        var registry = ModelRegistry.Embedded(_folder);
        var store = registry.GetService<IArtifactStore>()!;
        var reference = await store.PutAsync(RandomNumberGenerator.GetBytes(10));
        Age(reference, TimeSpan.FromDays(3));

        var none = await Assert.ThrowsAsync<ArgumentException>(async () => await ArtifactGarbageCollector.CollectAsync(store, [], new ArtifactCollectionOptions { DryRun = false }));
        Assert.Contains("every source", none.Message, StringComparison.Ordinal);
        var negative = await Assert.ThrowsAsync<ArgumentException>(async () => await ArtifactGarbageCollector.CollectAsync(store, [registry.GetService<IArtifactReferenceSource>()!], new ArtifactCollectionOptions { MinAge = TimeSpan.FromHours(-1) }));
        Assert.Contains("MinAge", negative.Message, StringComparison.Ordinal);
        var unlisted = await Assert.ThrowsAsync<NotSupportedException>(async () => await ArtifactGarbageCollector.CollectAsync(new UnlistedStore(), [registry.GetService<IArtifactReferenceSource>()!]));
        Assert.Contains("cannot list", unlisted.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(PathOf(reference)));
    }

    [Fact]
    public async Task TheClock_DecidesWhatIsOldEnough()
    {
        var registry = ModelRegistry.Embedded(_folder);
        await registry.RegisterVersionAsync(new NewModelVersion("churn", new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes("kept")), "alice"));
        var store = registry.GetService<IArtifactStore>()!;
        await store.PutAsync(RandomNumberGenerator.GetBytes(10));
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));

        var report = await ArtifactGarbageCollector.CollectAsync(store, [registry.GetService<IArtifactReferenceSource>()!], new ArtifactCollectionOptions { DryRun = false, TimeProvider = later });

        Assert.Equal((2, 1, 1), (report.Stored, report.Referenced, report.Deleted));
    }

    private sealed class UnlistedStore : IArtifactStore
    {
        public ValueTask<ArtifactReference> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<ReadOnlyMemory<byte>> GetAsync(ArtifactReference reference, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<bool> ExistsAsync(ArtifactReference reference, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);
    }

    private sealed class HookedSource(IArtifactReferenceSource inner, Func<int, Task> beforeCall) : IArtifactReferenceSource
    {
        private int _calls;

        public async IAsyncEnumerable<string> ListReferencedArtifactsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await beforeCall(++_calls);
            await foreach (var hash in inner.ListReferencedArtifactsAsync(cancellationToken))
            {
                yield return hash;
            }
        }
    }
}
