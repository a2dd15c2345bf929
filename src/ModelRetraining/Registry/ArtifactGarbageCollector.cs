namespace ModelRetraining;

/// <summary>
/// Deletes the artifacts nothing references any more: content an artifact store holds that no registry version,
/// attachment or dataset batch names. Conservative by design: a dry run unless asked; every source that keeps
/// artifacts in the store must be given (a registry and a dataset store sharing one folder are two sources);
/// anything younger than <see cref="ArtifactCollectionOptions.MinAge"/> is spared (a write in flight is not
/// referenced yet; storing bytes again refreshes their age); and the references are read again just before
/// deleting, so a version registered during the collection keeps its artifact.
/// </summary>
public static class ArtifactGarbageCollector
{
    /// <summary>Collects the store's unreferenced artifacts.</summary>
    /// <param name="store">The artifact store; it must be an <see cref="IArtifactInventory"/> (it can list and delete).</param>
    /// <param name="sources">Everything that keeps artifacts in the store.</param>
    /// <param name="options">Dry run, minimum age, clock; the defaults (a dry run) when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the collection between deletes.</param>
    /// <returns>What was found and deleted.</returns>
    /// <exception cref="NotSupportedException">The store cannot list its artifacts.</exception>
    /// <exception cref="ArgumentException">No source was given, or the minimum age is negative.</exception>
    public static async ValueTask<ArtifactCollectionReport> CollectAsync(IArtifactStore store, IReadOnlyList<IArtifactReferenceSource> sources, ArtifactCollectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sources);
        options ??= new ArtifactCollectionOptions();
        if (sources.Count == 0)
        {
            throw new ArgumentException("Garbage collection needs every source that keeps artifacts in the store (the registry, and the dataset store when it shares the folder); none was given, and everything would look unreferenced.", nameof(sources));
        }

        if (options.MinAge < ArtifactCollectionOptions.Shortest)
        {
            throw new ArgumentException($"{nameof(ArtifactCollectionOptions.MinAge)} must be at least {ArtifactCollectionOptions.Shortest.TotalMinutes:0} minutes; it is {options.MinAge}. Stores refresh the age of bytes stored again only when they are older than that, so a shorter age could delete what a new version just reused.", nameof(options));
        }

        var inventory = store as IArtifactInventory ?? store.GetService(typeof(IArtifactInventory)) as IArtifactInventory
            ?? throw new NotSupportedException($"The artifact store ({store.GetType().Name}) cannot list its artifacts, so nothing can be collected.");
        var referenced = await ReferencedAsync(sources, cancellationToken).ConfigureAwait(false);
        var cutoff = (options.TimeProvider ?? TimeProvider.System).GetUtcNow() - options.MinAge;
        int stored = 0, inUse = 0, young = 0;
        long storedBytes = 0;
        var unreferenced = new List<StoredArtifact>();
        await foreach (var artifact in inventory.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            stored++;
            storedBytes += artifact.Reference.Length;
            if (referenced.Contains(artifact.Reference.Sha256))
            {
                inUse++;
            }
            else if (artifact.LastWritten > cutoff)
            {
                young++;
            }
            else
            {
                unreferenced.Add(artifact);
            }
        }

        int deleted = 0;
        long deletedBytes = 0;
        if (!options.DryRun && unreferenced.Count > 0)
        {
            // Read again: a version registered while the store was listed may reuse one of these.
            var now = await ReferencedAsync(sources, cancellationToken).ConfigureAwait(false);
            foreach (var artifact in unreferenced.Where(a => !now.Contains(a.Reference.Sha256)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await inventory.DeleteAsync(artifact, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                    deletedBytes += artifact.Reference.Length;
                }
            }
        }

        return new ArtifactCollectionReport(options.DryRun, stored, storedBytes, inUse, unreferenced, young, deleted, deletedBytes);
    }

    private static async ValueTask<HashSet<string>> ReferencedAsync(IReadOnlyList<IArtifactReferenceSource> sources, CancellationToken cancellationToken)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            await foreach (var sha in source.ListReferencedArtifactsAsync(cancellationToken).ConfigureAwait(false))
            {
                referenced.Add(sha);
            }
        }

        return referenced;
    }
}
