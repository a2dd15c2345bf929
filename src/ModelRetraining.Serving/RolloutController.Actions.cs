namespace ModelRetraining.Serving;

/// <summary>What a person does to a rollout: resume, pause, promote, stop.</summary>
internal sealed partial class RolloutController<TInput, TOutput>
{
    /// <summary>
    /// Resumes a paused canary at its current step, keeping the step's evidence: the canary's bound is a
    /// confidence sequence, valid however often it is looked at, so outcomes before and after the pause add up.
    /// </summary>
    /// <param name="actor">Who resumes it.</param>
    /// <returns>The rollout's state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is paused.</exception>
    public RolloutState ResumeRollout(string actor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var rollout = Volatile.Read(ref _rollout);
        if (rollout?.Status != RolloutStatus.Paused)
        {
            throw new InvalidOperationException($"No rollout is paused on '{_modelName}' (it is {(rollout is null ? "not running" : rollout.Status.ToString())}).");
        }

        var (champion, challenger) = (rollout.ChampionCounters.Snapshot(), rollout.ChallengerCounters.Snapshot());
        return Changed(rollout, RolloutStatus.Running, FormattableString.Invariant($"resumed by {actor} at step {rollout.Step + 1}, keeping its evidence ({champion.Outcomes} champion and {challenger.Outcomes} challenger outcomes)"), null);
    }

    /// <summary>Pauses a running canary or A/B test at its step: traffic stays split as it is and analyses keep reporting, but nothing steps, promotes or rolls back on its own until <see cref="ResumeRollout"/>.</summary>
    /// <param name="actor">Who pauses it.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The rollout's state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running (a paused, concluded or ended one cannot be paused).</exception>
    public RolloutState PauseRollout(string actor, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var rollout = Volatile.Read(ref _rollout) ?? throw new InvalidOperationException($"No rollout is running on '{_modelName}'.");

        // Checked and changed under the rollout's gate (re-entrant: Changed takes it too), so a decision being made
        // meanwhile either happened first (and the pause is refused) or sees the pause.
        lock (rollout.Gate)
        {
            if (rollout.Status != RolloutStatus.Running || Volatile.Read(ref _rollout) != rollout)
            {
                throw new InvalidOperationException($"No rollout is running on '{_modelName}' (it is {rollout.Status}).");
            }

            return Changed(rollout, RolloutStatus.Paused, FormattableString.Invariant($"paused by {actor} at step {rollout.Step + 1}: {reason}"), null);
        }
    }

    /// <summary>Promotes the rollout's challenger now (a person's decision after a pause, or an A/B test's winner): the alias moves, audited, only if it still names the champion the rollout started against.</summary>
    /// <param name="actor">Who promotes it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rollout's final state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    public async Task<RolloutState> PromoteRolloutAsync(string actor, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var rollout = Volatile.Read(ref _rollout) ?? throw new InvalidOperationException($"No rollout is running on '{_modelName}'.");
        return await PromoteAsync(rollout, actor, reason, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the rollout: all traffic goes to the champion, the challenger is tagged with who stopped it and why (audited), and it is unloaded.</summary>
    /// <param name="actor">Who stops it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the tag write.</param>
    /// <returns>The rollout's final state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    public async Task<RolloutState> StopRolloutAsync(string actor, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var rollout = Volatile.Read(ref _rollout) ?? throw new InvalidOperationException($"No rollout is running on '{_modelName}'.");
        var text = $"stopped by {actor}: {reason}{Undecided(rollout)}";
        await _registry.SetTagAsync(_modelName, rollout.Challenger.Version.Version, ModelServer<TInput, TOutput>.RolloutTag, text, actor, cancellationToken).ConfigureAwait(false);
        var state = Changed(rollout, RolloutStatus.Stopped, text, null);
        await EndRolloutAsync(rollout).ConfigureAwait(false);
        return state;
    }
}
