using System.Diagnostics;

namespace ModelRetraining;

/// <summary>What one run knows so far: who started it and why, and what each stage produced for the next.</summary>
internal sealed class RunState(string modelName, string runId, string actor, string reason, DateTimeOffset startedAt)
{
    public string ModelName { get; } = modelName;

    public string RunId { get; } = runId;

    public string Actor { get; } = actor;

    public string Reason { get; } = reason;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public RetrainingStage Stage { get; set; } = RetrainingStage.Queued;

    public ModelVersion? Champion { get; set; }

    public IReadOnlyList<RetrainingTrigger> Causes { get; set; } = [];

    public int Attempt { get; init; } = 1;

    public ResumePoint? Resume { get; init; }

    public RetrainingStage? ResumedAfter { get; set; }

    public RunJournalStatus? LastJournalStatus { get; set; }

    public Activity? StageActivity { get; set; }

    public RetrainingContext Context { get; set; } = null!;

    /// <summary>Gets or sets what follows the run for the host's <see cref="RunMonitor"/>, if it has one.</summary>
    public LiveRunTracker? Live { get; set; }

    public DatasetSnapshot Training { get; set; } = null!;

    public DatasetSnapshot Holdout { get; set; } = null!;

    public TrainedModel Candidate { get; set; } = null!;

    public string CandidateHash { get; set; } = string.Empty;

    /// <summary>Gets or sets the version an earlier attempt of this run registered (found when resuming).</summary>
    public ModelVersion? AlreadyRegistered { get; set; }

    public IReadOnlyList<DataValidationReport> Validation { get; set; } = [];

    public EvaluationReport? Evaluation { get; set; }

    public IReadOnlyList<InfraValidationReport> InfraValidation { get; set; } = [];

    public PromotionDecision? Decision { get; set; }

    public ModelVersion? Registered { get; set; }

    public RetrainingRunResult End(RetrainingRunStatus status, TimeProvider timeProvider)
        => new(RunId, ModelName, status, StartedAt, timeProvider.GetUtcNow())
        {
            Stage = Stage,
            Causes = Causes,
            Validation = Validation,
            Evaluation = Evaluation,
            Decision = Decision,
            PreviousChampion = Champion,
            RegisteredVersion = Registered,
            ResumedAfter = ResumedAfter,
            InfraValidation = InfraValidation,
        };
}
