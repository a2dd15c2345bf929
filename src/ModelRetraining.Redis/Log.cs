using Microsoft.Extensions.Logging;

namespace ModelRetraining.Redis;

internal static partial class Log
{
    [LoggerMessage(90, LogLevel.Information, "Dataset {Dataset}: {Source} stored as {BatchId} ({Rows} rows, {Quarantined} quarantined)")]
    public static partial void BatchStored(ILogger logger, string dataset, string source, string batchId, long rows, long quarantined);

    [LoggerMessage(91, LogLevel.Error, "Dataset {Dataset}: the consumer of stream {Stream} failed ({Failures} in a row); it starts again in {Delay}, reading its unacknowledged messages first")]
    public static partial void ConsumerFailed(ILogger logger, Exception exception, string dataset, string stream, int failures, TimeSpan delay);
}
