using System.Security.Cryptography;

namespace ModelRetraining;

/// <summary>The address of an artifact in a content-addressed store.</summary>
/// <param name="Sha256">The lowercase hex SHA-256 of the content: the address.</param>
/// <param name="Length">The content length in bytes.</param>
public sealed record ArtifactReference(string Sha256, long Length)
{
    /// <summary>Addresses content: the SHA-256 of its bytes and their length, as every store computes it.</summary>
    /// <param name="content">The bytes.</param>
    /// <returns>The address.</returns>
    public static ArtifactReference Of(ReadOnlySpan<byte> content) => new(Convert.ToHexStringLower(SHA256.HashData(content)), content.Length);

    /// <summary>Tells whether a name is an address (64 lowercase hex digits): what a store checks before it uses one in a path or key, or takes one from a listing.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when it is an address.</returns>
    public static bool IsAddress(string? name) => name is { Length: 64 } && name.All(char.IsAsciiHexDigitLower);
}
