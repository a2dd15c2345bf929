using Microsoft.Extensions.Logging;

namespace ModelRetraining.Hosting;

/// <summary>Every log event of this package, with fixed ids (40–49; docs/observability.md lists them).</summary>
internal static partial class Log
{
    [LoggerMessage(40, LogLevel.Information, "Pipeline {Pipeline}: unfinished run {RunId} resumed and ended {Status}")]
    public static partial void Resumed(ILogger logger, string pipeline, string runId, RetrainingRunStatus status);

    [LoggerMessage(41, LogLevel.Error, "Pipeline {Pipeline}: resuming unfinished runs failed")]
    public static partial void ResumeFailed(ILogger logger, Exception exception, string pipeline);

    [LoggerMessage(42, LogLevel.Warning, "Approval request {RequestId} for {ModelName} v{Version} passed its deadline: {Status}")]
    public static partial void Expired(ILogger logger, string requestId, string modelName, int version, ApprovalStatus status);

    [LoggerMessage(43, LogLevel.Information, "Dataset {Dataset}: {File} stored as {BatchId} ({Rows} rows, {Quarantined} quarantined)")]
    public static partial void FileStored(ILogger logger, string dataset, string file, string batchId, long rows, long quarantined);

    [LoggerMessage(44, LogLevel.Warning, "Dataset {Dataset}: {File} refused and moved to refused/: {Reason}")]
    public static partial void FileRefused(ILogger logger, string dataset, string file, string reason);

    [LoggerMessage(45, LogLevel.Error, "Dataset {Dataset}: scanning {Folder} failed; the next scan tries again")]
    public static partial void ScanFailed(ILogger logger, Exception exception, string dataset, string folder);
}
