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

    /// <inheritdoc />
    public virtual string Name => InnerEvaluator.Name;

    /// <inheritdoc />
    public virtual ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerEvaluator.EvaluateAsync(input, context, cancellationToken);
}
