namespace ModelRetraining.Testing;

/// <summary>An <see cref="IArtifactReferenceSource"/> that references the hashes it was given: for testing an artifact store's garbage collection without a registry.</summary>
/// <param name="hashes">The SHA-256 hashes referenced.</param>
public sealed class FakeArtifactReferences(params string[] hashes) : IArtifactReferenceSource
{
    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListReferencedArtifactsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var hash in hashes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return hash;
        }
    }
}
