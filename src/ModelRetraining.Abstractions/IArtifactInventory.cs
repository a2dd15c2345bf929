namespace ModelRetraining;

/// <summary>
/// An artifact store that can list what it holds and delete content: what garbage collection
/// (<c>ArtifactGarbageCollector</c>) needs. Ask a store for it with <c>GetService&lt;IArtifactInventory&gt;()</c>.
/// </summary>
public interface IArtifactInventory
{
    /// <summary>Lists every artifact the store holds, with when it was last written (storing the same bytes again counts as a write).</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The stored artifacts, in no particular order.</returns>
    IAsyncEnumerable<StoredArtifact> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes stored content as it was listed: not when it was written again since (storing the same bytes
    /// refreshes <see cref="StoredArtifact.LastWritten"/>, so a version that reuses them keeps them).
    /// </summary>
    /// <param name="artifact">The artifact as <see cref="ListAsync"/> gave it.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns><see langword="true"/> when it is gone; <see langword="false"/> when it was not there or was written since.</returns>
    ValueTask<bool> DeleteAsync(StoredArtifact artifact, CancellationToken cancellationToken = default);
}
