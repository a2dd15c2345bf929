using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRetraining.Onnx;

/// <summary>
/// Loads versions that have an ONNX model (an ONNX artifact, or an ML.NET model's <c>model.onnx</c>
/// export) for serving on ONNX Runtime, on the execution providers of its options (CUDA falls back to the
/// CPU with a warning unless <see cref="OnnxModelOptions.RequireGpu"/>). Add it to a model server's
/// loaders (<c>ModelServerOptions.Loaders</c>); placed before the ML.NET loader, it serves the export of
/// an ML.NET-trained version.
/// </summary>
public sealed class OnnxModelLoader : IServingModelLoader
{
    private readonly OnnxModelOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the loader.</summary>
    /// <param name="options">Execution providers, device and class labels; the defaults when <see langword="null"/>.</param>
    /// <param name="logger">Receives the provider fallback warning.</param>
    /// <exception cref="OptionsValidationException">An option is invalid.</exception>
    public OnnxModelLoader(OnnxModelOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new OnnxModelOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(OnnxModelOptions), typeof(OnnxModelOptions), errors);
        }

        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => ArtifactFlavors.Onnx;

    /// <inheritdoc />
    public bool CanLoad(ModelVersion version) => OnnxArtifacts.Has(version);

    /// <inheritdoc />
    public async ValueTask<IServedModel<TInput, TOutput>> LoadAsync<TInput, TOutput>(ModelVersion version, IModelRegistry registry, CancellationToken cancellationToken = default)
        where TInput : class
        where TOutput : class, new()
    {
        var artifact = await OnnxArtifacts.ReadAsync(registry, version, cancellationToken).ConfigureAwait(false);
        return new OnnxServedModel<TInput, TOutput>(OnnxModel.Load(artifact, _options, _logger));
    }
}
