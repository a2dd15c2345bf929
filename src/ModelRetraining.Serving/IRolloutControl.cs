namespace ModelRetraining.Serving;

/// <summary>
/// A model server's rollouts without its input and output types: what the dashboard reads (the rollout, its
/// analyses, the limits they were judged against) and the actions an operator takes on it. Every
/// <see cref="ModelServer{TInput, TOutput}"/> is one; <c>AddModelServer</c> registers it as one.
/// </summary>
public interface IRolloutControl
{
    /// <summary>Gets the model the server serves.</summary>
    string ModelName { get; }

    /// <summary>Gets the version served outside a rollout (the champion); <see langword="null"/> before the first load.</summary>
    int? ServedVersion { get; }

    /// <summary>Gets the running (or paused, or concluded) rollout; <see langword="null"/> when none is.</summary>
    RolloutState? Rollout { get; }

    /// <summary>Gets the final state of the last rollout that ended; <see langword="null"/> before any ended.</summary>
    RolloutState? LastRollout { get; }

    /// <summary>Gets the options of the running rollout, or of the last one: the limits its analyses were judged against.</summary>
    RolloutOptions? RolloutOptions { get; }

    /// <summary>Raised when a rollout starts, moves a step, pauses, resumes, concludes, rolls back, is promoted or stops.</summary>
    event EventHandler<RolloutEventArgs>? RolloutChanged;

    /// <summary>Pauses a running rollout at its step: nothing steps, promotes or rolls back on its own until it is resumed.</summary>
    /// <param name="actor">Who pauses it.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The rollout's state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    RolloutState PauseRollout(string actor, string reason);

    /// <summary>Resumes a paused rollout at its step.</summary>
    /// <param name="actor">Who resumes it.</param>
    /// <returns>The rollout's state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is paused.</exception>
    RolloutState ResumeRollout(string actor);

    /// <summary>Promotes the challenger now: the alias moves, audited, only if it still names the champion the rollout started against.</summary>
    /// <param name="actor">Who promotes it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rollout's final state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    Task<RolloutState> PromoteRolloutAsync(string actor, string reason, CancellationToken cancellationToken = default);

    /// <summary>Stops (aborts) the rollout: all traffic goes back to the champion, and the challenger is tagged with who stopped it and why.</summary>
    /// <param name="actor">Who stops it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the tag write.</param>
    /// <returns>The rollout's final state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    Task<RolloutState> StopRolloutAsync(string actor, string reason, CancellationToken cancellationToken = default);
}
