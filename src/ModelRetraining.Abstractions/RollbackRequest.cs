namespace ModelRetraining;

/// <summary>
/// A request to move an alias back to the version it pointed at before its last move. Like every alias
/// move it names the version it expects to move away from, so of two operators rolling back at once the
/// second gets an <see cref="AliasConflictException"/> instead of undoing the first one's rollback.
/// </summary>
/// <param name="ModelName">The model.</param>
/// <param name="ExpectedCurrentVersion">The version the alias must point at now (the one being rolled back).</param>
/// <param name="Actor">Who rolls back.</param>
/// <param name="Reason">Why; recorded in the alias history and the audit log.</param>
public sealed record RollbackRequest(string ModelName, int ExpectedCurrentVersion, string Actor, string Reason)
{
    /// <summary>Gets the alias to roll back.</summary>
    /// <value>The default value is <c>champion</c>.</value>
    public string Alias { get; init; } = ModelAliases.Champion;

    /// <summary>
    /// Gets a value indicating whether the alias moves even when the target's artifact is missing or fails
    /// its hash check: an emergency override, recorded in the audit log as a forced rollback.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: the target is verified first and a rollback onto a version that cannot be read is refused.</value>
    public bool Force { get; init; }
}
