namespace ModelRetraining;

/// <summary>Scores the candidate and the champion on the same holdout.</summary>
public interface IEvaluator : ICapabilityProvider
{
    /// <summary>Gets the evaluator's name.</summary>
    string Name { get; }

    /// <summary>Evaluates both models.</summary>
    /// <param name="input">The candidate, the champion and the holdout.</param>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Cancels the evaluation.</param>
    /// <returns>The metrics of both models.</returns>
    ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default);
}
