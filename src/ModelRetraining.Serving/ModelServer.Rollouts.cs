using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Serving;

/// <summary>Rollouts: a challenger tried against the champion in shadow, A/B or canary mode (the work is the <see cref="RolloutController{TInput, TOutput}"/>'s).</summary>
public sealed partial class ModelServer<TInput, TOutput> : IRolloutControl, IRolloutArms
{
    /// <summary>The tag a rollout writes on the challenger (audited as <c>tag.set</c>): how it started and how it ended, with the numbers.</summary>
    public const string RolloutTag = "rollout";

    /// <summary>Raised when a rollout starts, moves a step, pauses, resumes, concludes, rolls back, is promoted or stops.</summary>
    public event EventHandler<RolloutEventArgs>? RolloutChanged;

    /// <summary>Gets the running (or paused, or concluded) rollout; <see langword="null"/> when none is.</summary>
    public RolloutState? Rollout
    {
        get => _rollouts.State;
    }

    /// <summary>Gets the final state of the last rollout that ended (promoted, rolled back automatically or stopped), with its analyses and why it ended; <see langword="null"/> before any ended.</summary>
    public RolloutState? LastRollout => _rollouts.LastEnded;

    /// <summary>
    /// Starts trying a challenger against the champion: loads it as the champion is loaded (and proves it
    /// predicts), tags it (audited), and from now on routes requests as the mode says. Analyses run every
    /// <see cref="RolloutOptions.AnalysisInterval"/>, or when <see cref="AnalyzeRolloutAsync"/> is called.
    /// </summary>
    /// <param name="options">The rollout.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The rollout's state.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid (weights that do not sum to 1, steps that do not rise to 1, …); the message names each.</exception>
    /// <exception cref="InvalidOperationException">No champion is served, a rollout is already running, or the challenger is the champion.</exception>
    /// <exception cref="KeyNotFoundException">The challenger version is not registered.</exception>
    public Task<RolloutState> StartRolloutAsync(RolloutOptions options, CancellationToken cancellationToken = default)
        => _rollouts.StartRolloutAsync(options, cancellationToken);

    /// <summary>
    /// Analyses the rollout now, over the current step: the challenger's error rate and p99 latency (against
    /// <see cref="RolloutOptions.MaxErrorRate"/>, <see cref="RolloutOptions.MaxLatencyRatio"/> ×
    /// the champion's and <see cref="RolloutOptions.MaxLatencyP99"/>), then, once both arms have
    /// <see cref="RolloutOptions.MinOutcomes"/> outcomes, its accuracy against the champion's. A canary
    /// acts on the result: failed rolls back, inconclusive pauses, successful moves to the next step or
    /// promotes after the last. An A/B test concludes when its always-valid p-value falls under α (and
    /// rolls back on errors or latency). A shadow only reports.
    /// </summary>
    /// <param name="cancellationToken">Cancels the registry calls a decision makes.</param>
    /// <returns>The analysis.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    public Task<RolloutAnalysis> AnalyzeRolloutAsync(CancellationToken cancellationToken = default)
        => _rollouts.AnalyzeRolloutAsync(cancellationToken);

    /// <summary>Resumes a paused canary at its current step, with fresh counters (the evidence that paused it is not reused).</summary>
    /// <param name="actor">Who resumes it.</param>
    /// <returns>The rollout's state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is paused.</exception>
    public RolloutState ResumeRollout(string actor)
        => _rollouts.ResumeRollout(actor);

    /// <inheritdoc/>
    public RolloutState PauseRollout(string actor, string reason)
        => _rollouts.PauseRollout(actor, reason);

    /// <inheritdoc/>
    public RolloutOptions? RolloutOptions => _rollouts.Options;

    string IRolloutControl.ModelName => _modelName;

    string IRolloutArms.ModelName => _modelName;

    IEnumerable<(string Arm, ArmStatistics Statistics)> IRolloutArms.CurrentArms()
    {
        if (_rollouts.Active is not { } rollout)
        {
            return [];
        }

        return [("champion", rollout.ChampionCounters.Snapshot()), ("challenger", rollout.ChallengerCounters.Snapshot())];
    }

    int? IRolloutControl.ServedVersion => Current?.Version;

    /// <summary>Promotes the rollout's challenger now (a person's decision after a pause, or an A/B test's winner): the alias moves, audited, only if it still names the champion the rollout started against.</summary>
    /// <param name="actor">Who promotes it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rollout's final state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    public Task<RolloutState> PromoteRolloutAsync(string actor, string reason, CancellationToken cancellationToken = default)
        => _rollouts.PromoteRolloutAsync(actor, reason, cancellationToken);

    /// <summary>Stops the rollout: all traffic goes to the champion, the challenger is tagged with who stopped it and why (audited), and it is unloaded.</summary>
    /// <param name="actor">Who stops it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the tag write.</param>
    /// <returns>The rollout's final state.</returns>
    /// <exception cref="InvalidOperationException">No rollout is running.</exception>
    public Task<RolloutState> StopRolloutAsync(string actor, string reason, CancellationToken cancellationToken = default)
        => _rollouts.StopRolloutAsync(actor, reason, cancellationToken);
}
