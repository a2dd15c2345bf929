namespace ModelRetraining;

/// <summary>
/// A registry that tells this process when an alias moves through it (a promotion, a rollback), so that a
/// model server swaps at once instead of at its next poll. Moves made by other processes, or through
/// another registry object, are not seen here: servers still poll for those.
/// </summary>
public interface IAliasMoveSource
{
    /// <summary>Raised after an alias move is committed.</summary>
    event EventHandler<AliasMovedEventArgs>? AliasMoved;
}
