using System.Collections.Concurrent;
using ModelRetraining;

namespace Extending;

// <snippet:extending-artifact-store>
/// <summary>
/// Keeps artifacts read from a remote store (S3, Blob) in memory, up to a byte budget: serving nodes that
/// reload the champion after every alias move read it once. Artifacts are content-addressed, so a cached
/// copy can never be stale.
/// </summary>
public sealed class CachingArtifactStore(IArtifactStore inner, long maxBytes) : DelegatingArtifactStore(inner)
{
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _cache = new(StringComparer.Ordinal);
    private long _cachedBytes;

    public long Hits { get; private set; }

    public override async ValueTask<ReadOnlyMemory<byte>> GetAsync(ArtifactReference reference, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(reference.Sha256, out var cached))
        {
            Hits++;
            return cached;
        }

        var content = await base.GetAsync(reference, cancellationToken);

        // Only what the inner store returned (and so verified) is cached, and only while it fits.
        if (Interlocked.Add(ref _cachedBytes, content.Length) <= maxBytes)
        {
            _cache.TryAdd(reference.Sha256, content);
        }
        else
        {
            Interlocked.Add(ref _cachedBytes, -content.Length);
        }

        return content;
    }
}
// </snippet:extending-artifact-store>
