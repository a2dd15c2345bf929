namespace ModelRetraining;

/// <summary>Typed capability lookup on any <see cref="ICapabilityProvider"/>.</summary>
public static class CapabilityProviderExtensions
{
    /// <summary>Asks a component, through any decorators around it, for an object of type <typeparamref name="TService"/>.</summary>
    /// <typeparam name="TService">The type asked for.</typeparam>
    /// <param name="provider">The component.</param>
    /// <param name="serviceKey">A key that tells apart several objects of one type; none when <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when there is none.</returns>
    public static TService? GetService<TService>(this ICapabilityProvider provider, object? serviceKey = null)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider.GetService(typeof(TService), serviceKey) as TService;
    }
}
