namespace ModelRetraining;

/// <summary>
/// One stage of a run. The pipeline drives its stages in order; <see cref="RunRecorder"/> wraps each in a
/// span, a duration metric, logs, progress and a journal entry, so a stage only does its work and says how it ended.
/// </summary>
internal interface IRunStage
{
    /// <summary>Gets the stage this component runs.</summary>
    RetrainingStage Stage { get; }

    /// <summary>Tells whether the stage runs for this run (infra validation only with validators, approval only when a gate asked for one).</summary>
    bool AppliesTo(RunState run);

    /// <summary>Says what the stage is about to do, for progress.</summary>
    string Describe(RunState run);

    /// <summary>Does the stage's work.</summary>
    ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken);
}
