namespace ModelRetraining;

/// <summary>
/// A component that can be asked for a capability it has or wraps, so that what an inner component can
/// do survives decoration (as <c>IChatClient.GetService</c> does in Microsoft.Extensions.AI): a logging
/// decorator around an evaluator that can rescore a stored model still answers for
/// <see cref="IModelScorer"/>; a retrying registry still tells of alias moves (<see cref="IAliasMoveSource"/>).
/// Every contract of the pipeline derives from it; <c>Delegating*</c> bases forward the lookup.
/// </summary>
public interface ICapabilityProvider
{
    /// <summary>Asks for an object of a type this component is, or holds.</summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none. By default, this component itself when it is of that type and no key is given.</returns>
    object? GetService(Type serviceType, object? serviceKey = null) => CapabilityLookup.Find(this, null, serviceType, serviceKey);
}
