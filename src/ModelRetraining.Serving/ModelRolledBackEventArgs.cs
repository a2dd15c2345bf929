namespace ModelRetraining.Serving;

/// <summary>The served alias was rolled back through <see cref="ModelServer{TInput, TOutput}.RollbackAsync"/>.</summary>
/// <param name="entry">The alias move, as the registry recorded it (from, to, actor, reason).</param>
public sealed class ModelRolledBackEventArgs(AliasHistoryEntry entry) : EventArgs
{
    /// <summary>Gets the alias move, as the registry recorded it.</summary>
    public AliasHistoryEntry Entry { get; } = entry;
}
