namespace ModelRetraining;

/// <summary>A registry backend that can report on its own state (a capability: ask with <c>GetService&lt;IRegistryHealth&gt;()</c>).</summary>
public interface IRegistryHealth
{
    /// <summary>Checks the backend: it opens, its schema is known, and what interrupted writes left behind.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The report.</returns>
    ValueTask<RegistryHealthReport> CheckHealthAsync(CancellationToken cancellationToken = default);
}
