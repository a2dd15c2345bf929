using System.Globalization;

namespace ModelRetraining.Serving;

// Rollback through the server: the target is loaded and verified before the alias moves, and the move names the version it leaves.
public sealed partial class ModelServer<TInput, TOutput>
{
    /// <summary>
    /// Rolls the served alias back from the version being served to the one the alias pointed at before
    /// its last move. See <see cref="RollbackFromAsync"/>; the
    /// version expected to move away from is the one this server serves now.
    /// </summary>
    /// <param name="actor">Who rolls back.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The alias move.</returns>
    /// <exception cref="InvalidOperationException">Nothing is served (then name the version to roll back from), the alias has no earlier version, or the target cannot be loaded.</exception>
    /// <exception cref="AliasConflictException">The alias no longer points at the served version: someone moved it first.</exception>
    public Task<AliasHistoryEntry> RollbackAsync(string actor, string reason, CancellationToken cancellationToken = default)
        => RollbackFromAsync(
            Current?.Version ?? throw new InvalidOperationException($"No version of '{_modelName}' is being served, so there is nothing to roll back from here: name the version to roll back from."),
            actor,
            reason,
            force: false,
            cancellationToken);

    /// <summary>
    /// Rolls the served alias back, in one call: the target (the version the alias pointed at before its
    /// last move) is loaded and test-predicted first, and a target that cannot be loaded is refused with the
    /// cause before anything moves; the alias then moves only if it still points at
    /// <paramref name="expectedCurrentVersion"/> (of two operators rolling back at once, the second gets a
    /// conflict instead of putting the bad version back); the move is recorded in the alias history and
    /// audit log (action <c>alias.rollback</c>, with the actor and reason), the server swaps at once,
    /// <see cref="RolledBack"/> is raised and <c>modelretraining.serving.rollbacks</c> counted.
    /// </summary>
    /// <param name="expectedCurrentVersion">The version being rolled back (the alias must point at it).</param>
    /// <param name="actor">Who rolls back.</param>
    /// <param name="reason">Why.</param>
    /// <param name="force">Moves the alias even when the target cannot be loaded (an emergency override, audited as forced); the server then keeps serving what it served and reports it in <see cref="LastSwapFailure"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The alias move.</returns>
    /// <exception cref="InvalidOperationException">The alias has no earlier version, or the target cannot be loaded (nothing was changed).</exception>
    /// <exception cref="AliasConflictException">The alias does not point at <paramref name="expectedCurrentVersion"/>.</exception>
    public async Task<AliasHistoryEntry> RollbackFromAsync(int expectedCurrentVersion, string actor, string reason, bool force = false, CancellationToken cancellationToken = default)
    {
        SafeText.ThrowIfInvalidIdentity(actor, "actor", nameof(actor));
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var request = new RollbackRequest(_modelName, expectedCurrentVersion, actor, reason) { Alias = _options.Alias, Force = force };
        var preloaded = force ? null : await LoadRollbackTargetAsync(expectedCurrentVersion, cancellationToken).ConfigureAwait(false);
        AliasHistoryEntry entry;
        try
        {
            entry = await _registry.RollbackAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            preloaded?.Retire();
            throw;
        }

        await RefreshCoreAsync(preloaded, cancellationToken).ConfigureAwait(false);
        var followed = Current?.Version == entry.ToVersion;
        ServingTelemetry.Rollbacks.Add(1, new KeyValuePair<string, object?>("model", _modelName));
        Log.RolledBack(_logger, _modelName, _options.Alias, entry.FromVersion?.ToString(CultureInfo.InvariantCulture) ?? "none", entry.ToVersion?.ToString(CultureInfo.InvariantCulture) ?? "none", SafeText.Escape(actor), SafeText.Escape(RegistryRules.RollbackReason(request)));
        if (!followed)
        {
            Log.RollbackNotFollowed(_logger, _modelName, _options.Alias, entry.ToVersion?.ToString(CultureInfo.InvariantCulture) ?? "none", Current?.ToString() ?? "nothing", _lastSwapFailure?.Error.Message ?? "unknown");
        }

        RolledBack?.Invoke(this, new ModelRolledBackEventArgs(entry) { ServerFollowed = followed });
        return entry;
    }

    // Loads the version a rollback would move to, so a target that cannot serve is refused before the alias moves.
    private async Task<LoadedModel<TInput, TOutput>?> LoadRollbackTargetAsync(int expectedCurrentVersion, CancellationToken cancellationToken)
    {
        AliasHistoryEntry? latest = null;
        await foreach (var move in _registry.GetAliasHistoryAsync(_modelName, _options.Alias, cancellationToken).ConfigureAwait(false))
        {
            latest = move;
        }

        if (latest?.FromVersion is not { } number || latest.ToVersion != expectedCurrentVersion)
        {
            return null; // the registry refuses it with the reason (no earlier version, or a conflict)
        }

        if (Standby?.Version == number)
        {
            // It served before and is still loaded: the swap takes it, with no load to verify. Should a
            // concurrent move let it go first, the swap loads the version as any refresh does.
            return null;
        }

        var target = await _registry.GetVersionAsync(_modelName, number, cancellationToken).ConfigureAwait(false)
            ?? throw RegistryRules.NoSuchVersion(_modelName, number);
        try
        {
            return await LoadAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"Rollback of '{_modelName}' {_options.Alias} from v{expectedCurrentVersion} to v{number} is refused: v{number} cannot be loaded ({ex.Message}). Nothing was changed; pass force: true to move the alias anyway (audited as forced).", ex);
        }
    }
}
