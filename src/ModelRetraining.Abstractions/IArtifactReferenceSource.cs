namespace ModelRetraining;

/// <summary>
/// Something that keeps artifacts in an artifact store and can list the ones it still needs: a registry
/// (versions' artifacts and attachments), a dataset store (batches and their parts). Garbage collection keeps
/// everything any of its sources lists; a store shared by a registry and a dataset store needs both.
/// </summary>
public interface IArtifactReferenceSource
{
    /// <summary>Lists the SHA-256 of every artifact this source references (a hash may come more than once).</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The referenced hashes, lower-case hex.</returns>
    IAsyncEnumerable<string> ListReferencedArtifactsAsync(CancellationToken cancellationToken = default);
}
