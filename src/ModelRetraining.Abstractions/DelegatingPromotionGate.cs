namespace ModelRetraining;

/// <summary>A gate that passes every call to an inner gate; derive to add behaviour.</summary>
public abstract class DelegatingPromotionGate : IPromotionGate
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerGate">The gate to call.</param>
    protected DelegatingPromotionGate(IPromotionGate innerGate)
    {
        ArgumentNullException.ThrowIfNull(innerGate);
        InnerGate = innerGate;
    }

    /// <summary>Gets the decorated gate.</summary>
    protected IPromotionGate InnerGate { get; }

    /// <inheritdoc />
    public virtual string Name => InnerGate.Name;

    /// <inheritdoc />
    public virtual ValueTask<PromotionDecision> DecideAsync(EvaluationReport report, RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerGate.DecideAsync(report, context, cancellationToken);
}
