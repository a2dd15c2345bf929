namespace ModelRetraining.CrashWorker;

/// <summary>A registry that stops the process right after a registration or an alias move has been committed.</summary>
internal sealed class PausingRegistry(IModelRegistry inner, string pauseAt) : DelegatingModelRegistry(inner)
{
    public string PauseAt { get; } = pauseAt;

    public override async ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
    {
        var registered = await base.RegisterVersionAsync(version, cancellationToken);
        PauseIf("after-register");
        return registered;
    }

    public override async ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default)
    {
        var entry = await base.SetAliasAsync(change, cancellationToken);
        PauseIf("after-promote");
        return entry;
    }

    public void PauseIf(string point)
    {
        if (point == PauseAt)
        {
            Console.WriteLine($"PAUSED {point}");
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
