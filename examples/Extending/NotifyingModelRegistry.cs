using ModelRetraining;

namespace Extending;

// <snippet:extending-model-registry>
/// <summary>
/// Tells a chat channel (or any callback) about every champion move, after it committed. A failing notifier
/// never fails the move: the registry is the record, the message is a courtesy.
/// </summary>
public sealed class NotifyingModelRegistry(IModelRegistry inner, Func<AliasHistoryEntry, Task> notify) : DelegatingModelRegistry(inner)
{
    public List<Exception> NotifyFailures { get; } = [];

    public override async ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
    {
        var entry = await base.SetAliasAsync(change, cancellationToken); // a lost race throws here, and nobody is told
        try
        {
            await notify(entry);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lock (NotifyFailures)
            {
                NotifyFailures.Add(ex);
            }
        }

        return entry;
    }
}
// </snippet:extending-model-registry>
