namespace ModelRetraining;

/// <summary>A write-once, content-addressed store of model artifacts. Every read is verified against the address.</summary>
public interface IArtifactStore : ICapabilityProvider
{
    /// <summary>Stores content; storing the same bytes twice stores them once.</summary>
    /// <param name="content">The bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The content's address.</returns>
    ValueTask<ArtifactReference> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Reads content and verifies its hash.</summary>
    /// <param name="reference">The address.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ArtifactIntegrityException">The stored bytes do not match the address, or are missing.</exception>
    ValueTask<ReadOnlyMemory<byte>> GetAsync(ArtifactReference reference, CancellationToken cancellationToken = default);

    /// <summary>Tells whether content is stored.</summary>
    /// <param name="reference">The address.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when present.</returns>
    ValueTask<bool> ExistsAsync(ArtifactReference reference, CancellationToken cancellationToken = default);
}
