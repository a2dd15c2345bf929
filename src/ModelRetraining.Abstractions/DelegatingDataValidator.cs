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

    /// <summary>Answers for this decorator's own type first, then asks the decorated component, so that its capabilities survive decoration.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
        => CapabilityLookup.Find(this, InnerValidator, serviceType, serviceKey);


    /// <inheritdoc />
    public virtual string Name => InnerValidator.Name;

    /// <inheritdoc />
    public virtual ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default)
        => InnerValidator.ValidateAsync(data, context, cancellationToken);
}
