using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRetraining;
using ModelRetraining.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Ingests files dropped into folders while the host runs.</summary>
public static class FolderIngestionExtensions
{
    /// <summary>
    /// Watches <paramref name="folder"/> for the host's lifetime and stores each settled file as a batch of
    /// <paramref name="dataset"/> (see <see cref="DatasetFolderWatcher"/>): stored files are logged (event 43),
    /// refused ones logged (44) and moved to <c>refused/</c>, a failed scan logged (45) and retried at the next.
    /// </summary>
    /// <param name="builder">The ModelRetraining builder.</param>
    /// <param name="dataset">The dataset.</param>
    /// <param name="folder">The folder watched.</param>
    /// <param name="sourceFor">How a file is read, e.g. <c>path =&gt; CsvDataSource.FromFile(path, schema)</c>.</param>
    /// <param name="store">The dataset store, from the container.</param>
    /// <param name="every">The time between scans.</param>
    /// <param name="configure">Adjusts the watcher (settle time, pattern, sender, the pipeline that checks each file), given the container.</param>
    /// <returns>The builder.</returns>
    public static ModelRetrainingBuilder AddFolderIngestion(this ModelRetrainingBuilder builder, string dataset, string folder, Func<string, IDataSource> sourceFor, Func<IServiceProvider, DatasetStore> store, TimeSpan every, Action<IServiceProvider, DatasetFolderWatcher>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegistryNames.ThrowIfInvalid(dataset, "dataset name", nameof(dataset));
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(sourceFor);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(every, TimeSpan.Zero);
        builder.Services.AddSingleton<IHostedService>(services =>
        {
            var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
            var watcher = new DatasetFolderWatcher(store(services), dataset, folder, sourceFor, time);
            configure?.Invoke(services, watcher);
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger("ModelRetraining.Hosting.FolderIngestion") ?? NullLogger.Instance;
            return new FolderIngestionService(watcher, dataset, folder, every, time, logger);
        });
        return builder;
    }
}
