namespace ModelRetraining;

/// <summary>The one rule of capability lookup, shared by the interface's default and every <c>Delegating*</c> base: the component answers for its own types first, then (for a decorator) the component it wraps.</summary>
internal static class CapabilityLookup
{
    public static object? Find(object component, ICapabilityProvider? inner, Type serviceType, object? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(component) ? component : inner?.GetService(serviceType, serviceKey);
    }
}
