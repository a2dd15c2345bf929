using System.Security.Cryptography;
using Xunit;

namespace ModelRetraining.Testing.Conformance;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do: content-addressed, write-once, hash-verified reads.
/// Derive, create an empty store per call, and say how to damage stored bytes behind the store's back.
/// </summary>
public abstract class ArtifactStoreConformanceTests
{
    /// <summary>Creates a new, empty store for one test.</summary>
    /// <returns>The store.</returns>
    protected abstract IArtifactStore CreateStore();

    /// <summary>Changes the stored bytes of an artifact behind the store's back.</summary>
    /// <param name="store">The store.</param>
    /// <param name="reference">The artifact to damage.</param>
    /// <returns>A task that completes when the bytes are changed.</returns>
    protected abstract ValueTask CorruptAsync(IArtifactStore store, ArtifactReference reference);

    /// <summary>An artifact is addressed by the SHA-256 of its bytes and read back unchanged.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Put_ThenGet_AddressesByHashAndReturnsTheSameBytes()
    {
        var store = CreateStore();
        var bytes = RandomNumberGenerator.GetBytes(10_000);

        var reference = await store.PutAsync(bytes);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), reference.Sha256);
        Assert.Equal(bytes.Length, reference.Length);
        Assert.True(await store.ExistsAsync(reference));
        Assert.Equal(bytes, (await store.GetAsync(reference)).ToArray());
    }

    /// <summary>Putting the same bytes twice gives the same reference (write-once, no duplicate).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Put_SameBytesTwice_GivesTheSameReference()
    {
        var store = CreateStore();
        var bytes = RandomNumberGenerator.GetBytes(100);

        Assert.Equal(await store.PutAsync(bytes), await store.PutAsync(bytes));
    }

    /// <summary>Bytes changed behind the store's back are refused on read, never returned.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Get_BytesChangedBehindTheStore_ThrowsIntegrityException()
    {
        var store = CreateStore();
        var reference = await store.PutAsync(RandomNumberGenerator.GetBytes(100));
        await CorruptAsync(store, reference);

        await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.GetAsync(reference));
    }

    /// <summary>An artifact never stored does not exist, and reading it says so.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public virtual async Task Get_NeverStored_DoesNotExistAndThrowsIntegrityException()
    {
        var store = CreateStore();
        var missing = new ArtifactReference(new string('a', 64), 3);

        Assert.False(await store.ExistsAsync(missing));
        await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.GetAsync(missing));
    }
}
