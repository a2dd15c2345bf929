namespace ModelRetraining;

/// <summary>An evaluator that passes every call to an inner evaluator; derive to add behaviour.</summary>
public abstract class DelegatingEvaluator : IEvaluator
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerEvaluator">The evaluator to call.</param>
    protected DelegatingEvaluator(IEvaluator innerEvaluator)
    {
        ArgumentNullException.ThrowIfNull(innerEvaluator);
        InnerEvaluator = innerEvaluator;
    }

    /// <summary>Gets the decorated evaluator.</summary>
    protected IEvaluator InnerEvaluator { get; }

    /// <summary>Answers for this decorator's own type first, then asks the decorated component, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerEvaluator, serviceType, serviceKey);


    /// <inheritdoc />
    public virtual string Name => InnerEvaluator.Name;

    /// <inheritdoc />
    public virtual ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerEvaluator.EvaluateAsync(input, context, cancellationToken);
}
