namespace ModelRetraining;

/// <summary>
/// Loads registered versions for serving. Adapters bring theirs (ML.NET, ONNX Runtime); a model server asks
/// its loaders in order and uses the first that can load a version (chosen by the version's flavor and
/// attachments), so serving needs no reference to any runtime.
/// </summary>
public interface IServingModelLoader
{
    /// <summary>Gets the loader's name, for logs and errors (<c>mlnet</c>, <c>onnx</c>).</summary>
    string Name { get; }

    /// <summary>Tells whether this loader can load a version.</summary>
    /// <param name="version">The version.</param>
    /// <returns><see langword="true"/> when it can.</returns>
    bool CanLoad(ModelVersion version);

    /// <summary>Reads a version's model from the registry and loads it.</summary>
    /// <typeparam name="TInput">The input row type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="version">The version.</param>
    /// <param name="registry">The registry that keeps it.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The loaded model; the caller disposes it.</returns>
    ValueTask<IServedModel<TInput, TOutput>> LoadAsync<TInput, TOutput>(ModelVersion version, IModelRegistry registry, CancellationToken cancellationToken = default)
        where TInput : class
        where TOutput : class, new();
}
