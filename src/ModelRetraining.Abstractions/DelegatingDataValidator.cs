namespace ModelRetraining;

/// <summary>A validator that passes every call to an inner validator; derive to add behaviour.</summary>
public abstract class DelegatingDataValidator : IDataValidator
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerValidator">The validator to call.</param>
    protected DelegatingDataValidator(IDataValidator innerValidator)
    {
        ArgumentNullException.ThrowIfNull(innerValidator);
        InnerValidator = innerValidator;
    }

    /// <summary>Gets the decorated validator.</summary>
    protected IDataValidator InnerValidator { get; }

    /// <inheritdoc />
    public virtual string Name => InnerValidator.Name;

    /// <inheritdoc />
    public virtual ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerValidator.ValidateAsync(data, context, cancellationToken);
}
