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

    /// <summary>Answers for this decorator's own type first, then asks the decorated component, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerGate, serviceType, serviceKey);


    /// <inheritdoc />
    public virtual string Name => InnerGate.Name;

    /// <inheritdoc />
    public virtual ValueTask<PromotionDecision> DecideAsync(EvaluationReport report, RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerGate.DecideAsync(report, context, cancellationToken);
}
