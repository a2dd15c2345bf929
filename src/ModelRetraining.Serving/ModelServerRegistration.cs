using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ModelRetraining.Serving;

/// <summary>Registers model servers with a host: created from the registered <see cref="IModelRegistry"/>, started with the host (so the champion is loaded before requests) and disposed with it.</summary>
public static class ModelServerRegistration
{
    /// <summary>
    /// Adds a <see cref="ModelServer{TInput, TOutput}"/> for a model: a singleton (keyed by the model name,
    /// and unkeyed for the first server of these types), following the registry of the pipeline registered under
    /// the same name, or else the registered <see cref="IModelRegistry"/>; with the registered
    /// <see cref="TimeProvider"/> and logging, started when the host starts.
    /// </summary>
    /// <typeparam name="TInput">The input row type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The ModelRetraining builder (<c>services.AddModelRetraining()</c>).</param>
    /// <param name="modelName">The model served.</param>
    /// <param name="configure">Sets the server's options (alias, poll interval, runtime, …).</param>
    /// <param name="isCorrect">How an output is judged against an actual value (<see cref="ModelServer{TInput, TOutput}.RecordActual"/>); none when <see langword="null"/>.</param>
    /// <param name="derivations">The training schema's derived columns, computed on every input (<see cref="ModelServer{TInput, TOutput}.Derivations"/>); none when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddModelServer<TInput, TOutput>(this ModelRetrainingBuilder builder, string modelName, Action<ModelServerOptions>? configure = null, Func<TOutput, float, bool>? isCorrect = null, ServingDerivations<TInput>? derivations = null)
        where TInput : class
        where TOutput : class, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        var options = new ModelServerOptions();
        configure?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(ModelServerOptions), typeof(ModelServerOptions), errors);
        }

        // The pipeline that retrains this model writes to its registry: follow that one when there is one.
        builder.Services.AddKeyedSingleton(modelName, (services, _) => new ModelServer<TInput, TOutput>(
            services.GetKeyedService<RetrainingPipeline>(modelName)?.Registry
                ?? services.GetService<IModelRegistry>()
                ?? throw new InvalidOperationException($"The model server for '{modelName}' needs an IModelRegistry: call UseEmbeddedRegistry(folder), register one, or register a pipeline named '{modelName}'."),
            modelName,
            options,
            timeProvider: services.GetService<TimeProvider>(),
            logger: services.GetService<ILoggerFactory>()?.CreateLogger($"ModelRetraining.Serving.ModelServer.{modelName}"))
        {
            IsCorrect = isCorrect,
            Derivations = derivations,
        });
        builder.Services.TryAddSingleton(services => services.GetRequiredKeyedService<ModelServer<TInput, TOutput>>(modelName));
        builder.Services.AddSingleton<IRolloutControl>(services => services.GetRequiredKeyedService<ModelServer<TInput, TOutput>>(modelName)); // the dashboard's rollouts view
        builder.Services.AddSingleton<IHostedService>(services => new Starter<TInput, TOutput>(services.GetRequiredKeyedService<ModelServer<TInput, TOutput>>(modelName)));
        return builder;
    }

    // Loads the champion when the host starts; the container disposes the server when the host ends.
    private sealed class Starter<TInput, TOutput>(ModelServer<TInput, TOutput> server) : IHostedService
        where TInput : class
        where TOutput : class, new()
    {
        public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
