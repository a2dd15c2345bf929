namespace ModelRetraining;

/// <summary>
/// Loads the candidate exactly as serving will (format, runtime, execution provider) and checks that it
/// reproduces its evaluation scores within budgets of latency and memory, before any gate is asked.
/// A failed check rejects the run with the numbers.
/// </summary>
public interface IInfraValidator : ICapabilityProvider
{
    /// <summary>Gets the validator's name for reports and the journal.</summary>
    string Name { get; }

    /// <summary>Checks the candidate.</summary>
    /// <param name="input">The candidate, the holdout and the scores the evaluation gave it.</param>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The report.</returns>
    ValueTask<InfraValidationReport> ValidateAsync(InfraValidationInput input, RetrainingContext context, CancellationToken cancellationToken = default);
}
