using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>Everything a built pipeline is made of, in one immutable record: what <see cref="RetrainingPipelineBuilder.Build"/> produces and every stage reads.</summary>
internal sealed record PipelineDefinition(
    string ModelName,
    IDataSource Training,
    IDataSource Holdout,
    IReadOnlyList<IDataValidator> Validators,
    ITrainer Trainer,
    IEvaluator Evaluator,
    IReadOnlyList<IInfraValidator> InfraValidators,
    IReadOnlyList<IPromotionGate> Gates,
    IModelRegistry Registry,
    IRunJournal Journal,
    IApprovalStore? Approvals,
    RetrainingPipelineOptions Options,
    IReadOnlyList<SliceDefinition> Slices,
    long MinSliceRows,
    ApprovalPolicy ApprovalPolicy,
    string Actor,
    TimeProvider TimeProvider,
    ILogger Logger)
{
    /// <summary>Gets the monitor runs report their progress and resources to, if any.</summary>
    public RunMonitor? Monitor { get; init; }
}
