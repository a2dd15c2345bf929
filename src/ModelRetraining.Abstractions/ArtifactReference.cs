namespace ModelRetraining;

/// <summary>The address of an artifact in a content-addressed store.</summary>
/// <param name="Sha256">The lowercase hex SHA-256 of the content: the address.</param>
/// <param name="Length">The content length in bytes.</param>
public sealed record ArtifactReference(string Sha256, long Length);
