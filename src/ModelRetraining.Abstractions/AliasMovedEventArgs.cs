namespace ModelRetraining;

/// <summary>An alias moved.</summary>
/// <param name="entry">The move, as the registry recorded it.</param>
public sealed class AliasMovedEventArgs(AliasHistoryEntry entry) : EventArgs
{
    /// <summary>Gets the move, as the registry recorded it.</summary>
    public AliasHistoryEntry Entry { get; } = entry;
}
