using System.Text;

namespace ModelRetraining.Testing.Conformance;

/// <summary>Data and helpers the conformance suites share.</summary>
public static class ConformanceData
{
    /// <summary>Registers a version with a distinct artifact.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="model">The model.</param>
    /// <param name="content">The artifact text; a new GUID when <see langword="null"/>.</param>
    /// <returns>The version.</returns>
    public static ValueTask<ModelVersion> RegisterAsync(IModelRegistry registry, string model = "churn", string? content = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.RegisterVersionAsync(new NewModelVersion(model, new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes(content ?? Guid.NewGuid().ToString())), "tester"));
    }

    /// <summary>Collects an async sequence.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The sequence.</param>
    /// <returns>The elements.</returns>
    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
