namespace ModelRetraining;

/// <summary>Checks a data set before training. Errors block training; warnings are reported.</summary>
public interface IDataValidator : ICapabilityProvider
{
    /// <summary>Gets the validator's name, used in reports.</summary>
    string Name { get; }

    /// <summary>Validates a data set.</summary>
    /// <param name="data">The data set.</param>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Cancels the validation.</param>
    /// <returns>Every issue found.</returns>
    ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default);
}
