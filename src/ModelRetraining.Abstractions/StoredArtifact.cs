namespace ModelRetraining;

/// <summary>One artifact an <see cref="IArtifactInventory"/> holds.</summary>
/// <param name="Reference">Its address and length.</param>
/// <param name="LastWritten">When it was last written; garbage collection never deletes an artifact younger than its minimum age, as a write in flight may not be referenced yet.</param>
public sealed record StoredArtifact(ArtifactReference Reference, DateTimeOffset LastWritten);
