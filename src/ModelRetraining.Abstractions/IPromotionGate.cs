namespace ModelRetraining;

/// <summary>Decides whether a candidate may replace the champion. Every gate of a pipeline must approve.</summary>
public interface IPromotionGate : ICapabilityProvider
{
    /// <summary>Gets the gate's name.</summary>
    string Name { get; }

    /// <summary>Judges an evaluation.</summary>
    /// <param name="report">The candidate's and the champion's metrics.</param>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Cancels the decision.</param>
    /// <returns>The decision with every criterion.</returns>
    ValueTask<PromotionDecision> DecideAsync(EvaluationReport report, RetrainingContext context, CancellationToken cancellationToken = default);
}
