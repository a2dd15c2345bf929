namespace ModelRetraining;

/// <summary>An alias of a model and the version it points at now.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Alias">The alias.</param>
/// <param name="Version">The version it points at.</param>
public sealed record AliasAssignment(string ModelName, string Alias, int Version);
