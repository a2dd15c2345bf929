using Microsoft.ML;

namespace ModelRetraining.MLNet;

/// <summary>
/// Loads versions of flavor <see cref="ArtifactFlavors.MLNet"/> for serving: the model zip from the registry,
/// with prediction engines cached per calling thread (an engine is not thread-safe; a lock per call would be).
/// Add it to a model server's loaders (<c>ModelServerOptions.Loaders</c>).
/// </summary>
public sealed class MLNetModelLoader : IServingModelLoader
{
    private readonly MLContext _ml = new(seed: 0);

    /// <inheritdoc />
    public string Name => ArtifactFlavors.MLNet;

    /// <inheritdoc />
    public bool CanLoad(ModelVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Flavor == ArtifactFlavors.MLNet;
    }

    /// <inheritdoc />
    public async ValueTask<IServedModel<TInput, TOutput>> LoadAsync<TInput, TOutput>(ModelVersion version, IModelRegistry registry, CancellationToken cancellationToken = default)
        where TInput : class
        where TOutput : class, new()
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(registry);
        var artifact = await registry.ReadArtifactAsync(version, cancellationToken).ConfigureAwait(false);
        ITransformer transformer;
        using (var stream = new MemoryStream(artifact.Content.ToArray(), writable: false))
        {
            transformer = _ml.Model.Load(stream, out _);
        }

        return new MLNetServedModel<TInput, TOutput>(_ml, transformer);
    }
}
