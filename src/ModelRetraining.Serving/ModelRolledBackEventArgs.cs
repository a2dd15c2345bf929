namespace ModelRetraining.Serving;

/// <summary>The served alias was rolled back through <see cref="ModelServer{TInput, TOutput}.RollbackFromAsync"/>.</summary>
/// <param name="entry">The alias move, as the registry recorded it (from, to, actor, reason).</param>
public sealed class ModelRolledBackEventArgs(AliasHistoryEntry entry) : EventArgs
{
    /// <summary>Gets the alias move, as the registry recorded it.</summary>
    public AliasHistoryEntry Entry { get; } = entry;

    /// <summary>Gets a value indicating whether the server now serves the version the alias was rolled back to; <see langword="false"/> after a forced rollback onto a version that failed to load (see <see cref="ModelServer{TInput, TOutput}.LastSwapFailure"/>).</summary>
    public bool ServerFollowed { get; init; } = true;
}
