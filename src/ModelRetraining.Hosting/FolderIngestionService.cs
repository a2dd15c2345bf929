using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ModelRetraining.Hosting;

/// <summary>Scans one watched folder on an interval for as long as the host runs; a failed scan is logged and the next one tries again.</summary>
internal sealed class FolderIngestionService(DatasetFolderWatcher watcher, string dataset, string folder, TimeSpan every, TimeProvider timeProvider, ILogger logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var scan = await watcher.ScanAsync(stoppingToken).ConfigureAwait(false);
                foreach (var batch in scan.Stored)
                {
                    Log.FileStored(logger, dataset, SafeText.Escape(batch.Source), batch.Id, batch.Rows, batch.Quarantined);
                }

                foreach (var (file, reason) in scan.Refused)
                {
                    Log.FileRefused(logger, dataset, SafeText.Escape(file), SafeText.Escape(reason));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A folder that is briefly unavailable (a remount, a permission change) must not stop ingestion for good.
                Log.ScanFailed(logger, ex, dataset, folder);
            }

            try
            {
                await Task.Delay(every, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
