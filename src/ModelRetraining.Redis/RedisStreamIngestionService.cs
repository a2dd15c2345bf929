using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ModelRetraining.Redis;

/// <summary>
/// Runs a <see cref="RedisStreamIngestion{T}"/> for the host's lifetime. A failure (Redis unreachable, the
/// store refusing a write, a crash between storing and acknowledging) is logged and the consumer starts
/// again after a delay that doubles with each failure in a row: it first reads what it had not
/// acknowledged, whose batch the store already has under the same idempotency key, so nothing is lost or
/// stored twice. A consumer that fails to start (its options) fails the host's start instead.
/// </summary>
internal sealed class RedisStreamIngestionService<T>(Func<RedisStreamIngestion<T>> create, string dataset, RedisStreamIngestionOptions options, ILogger logger) : BackgroundService
{
    /// <summary>Gets how many times the consumer was started (tests read it).</summary>
    internal int Starts { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Starts++;
                await foreach (var batch in create().RunAsync(stoppingToken).ConfigureAwait(false))
                {
                    failures = 0;
                    Log.BatchStored(logger, dataset, SafeText.Escape(batch.Source), batch.Id, batch.Rows, batch.Quarantined);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = Delay(failures);
                Log.ConsumerFailed(logger, ex, dataset, SafeText.Escape(options.StreamKey), failures, delay);
                try
                {
                    await Task.Delay(delay, options.TimeProvider, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private TimeSpan Delay(int failures)
    {
        var doubled = options.RestartDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(doubled, options.MaxRestartDelay.Ticks));
    }
}
