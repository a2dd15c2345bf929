namespace ModelRetraining;

/// <summary>A request to point an alias at a version, guarded by the version it is expected to point at now.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Alias">The alias, such as <c>champion</c>.</param>
/// <param name="Version">The version to point at, or <see langword="null"/> to remove the alias.</param>
/// <param name="ExpectedCurrentVersion">The version the alias must point at now (<see langword="null"/>: it must not exist); otherwise the change fails with <see cref="AliasConflictException"/>.</param>
/// <param name="Actor">Who moves it.</param>
/// <param name="Reason">Why.</param>
public sealed record AliasChange(string ModelName, string Alias, int? Version, int? ExpectedCurrentVersion, string Actor, string Reason);
