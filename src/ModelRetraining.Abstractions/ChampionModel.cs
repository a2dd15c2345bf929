namespace ModelRetraining;

/// <summary>The production model a candidate is measured against, with its verified artifact.</summary>
/// <param name="Version">The registered version.</param>
/// <param name="Artifact">The artifact, already hash-verified by the registry.</param>
public sealed record ChampionModel(ModelVersion Version, ModelArtifact Artifact);
