namespace ModelRetraining;

/// <summary>
/// Raises <see cref="IAliasMoveSource.AliasMoved"/> for a backend after its move committed. Each listener
/// runs on its own and a throwing one is reported, never thrown into the writer: the move is done, and an
/// exception there would make the caller retry a move that already happened (and then conflict).
/// </summary>
public static class AliasMoveListeners
{
    /// <summary>Calls every listener with the move; a listener that throws is reported to <paramref name="onFailure"/> and the others still run.</summary>
    /// <param name="sender">The registry that moved the alias.</param>
    /// <param name="listeners">The event's delegate, or <see langword="null"/> when nobody listens.</param>
    /// <param name="entry">The committed move.</param>
    /// <param name="onFailure">Told of each listener that threw (to log it); may be <see langword="null"/>, then the failure is dropped.</param>
    public static void Raise(object sender, EventHandler<AliasMovedEventArgs>? listeners, AliasHistoryEntry entry, Action<Exception>? onFailure)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (listeners is null)
        {
            return;
        }

        var args = new AliasMovedEventArgs(entry);
        foreach (var listener in listeners.GetInvocationList())
        {
            try
            {
                ((EventHandler<AliasMovedEventArgs>)listener)(sender, args);
            }
#pragma warning disable CA1031 // a listener's failure of any kind must not reach the writer
            catch (Exception ex)
#pragma warning restore CA1031
            {
                onFailure?.Invoke(ex);
            }
        }
    }
}
