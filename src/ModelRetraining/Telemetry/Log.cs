using Microsoft.Extensions.Logging;

namespace ModelRetraining;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Run {RunId} of model {ModelName} started by {Actor}; champion {Champion}")]
    public static partial void RunStarted(ILogger logger, string runId, string modelName, string actor, string champion);

    [LoggerMessage(2, LogLevel.Debug, "Run {RunId}: stage {Stage} completed in {ElapsedMs} ms")]
    public static partial void StageCompleted(ILogger logger, string runId, RetrainingStage stage, double elapsedMs);

    [LoggerMessage(3, LogLevel.Warning, "Run {RunId} of model {ModelName} rejected at {Stage}: {Reasons}")]
    public static partial void RunRejected(ILogger logger, string runId, string modelName, RetrainingStage stage, string reasons);

    [LoggerMessage(4, LogLevel.Error, "Run {RunId} of model {ModelName} failed at {Stage}")]
    public static partial void RunFailed(ILogger logger, Exception exception, string runId, string modelName, RetrainingStage stage);

    [LoggerMessage(5, LogLevel.Information, "Run {RunId} of model {ModelName} succeeded: v{Version} is champion (was {Previous})")]
    public static partial void RunSucceeded(ILogger logger, string runId, string modelName, int version, string previous);

    [LoggerMessage(6, LogLevel.Information, "Run {RunId} of model {ModelName} cancelled during {Stage}")]
    public static partial void RunCancelled(ILogger logger, string runId, string modelName, RetrainingStage stage);

    [LoggerMessage(7, LogLevel.Warning, "Run {RunId}: data issue in {DataSet}: {Issue}")]
    public static partial void DataIssue(ILogger logger, string runId, string dataSet, string issue);

    [LoggerMessage(8, LogLevel.Information, "Run {RunId} of model {ModelName}: v{Version} registered and awaits approval")]
    public static partial void AwaitingApproval(ILogger logger, string runId, string modelName, int version);

    [LoggerMessage(9, LogLevel.Warning, "Run {RunId}: column {Column} of {DataSet} drifted ({Method} {Statistic}, threshold {Threshold})")]
    public static partial void ColumnDrifted(ILogger logger, string runId, string column, string dataSet, DriftMethod method, double statistic, double threshold);

    [LoggerMessage(10, LogLevel.Warning, "Run {RunId}: data set {DataSet} drifted: {Drifted} of {Columns} columns")]
    public static partial void DatasetDrifted(ILogger logger, string runId, string dataSet, int drifted, int columns);

    [LoggerMessage(11, LogLevel.Information, "Run {RunId} of model {ModelName} resumed (attempt {Attempt}) after {Stage}; already registered: {Registered}")]
    public static partial void RunResumed(ILogger logger, string runId, string modelName, int attempt, RetrainingStage stage, string registered);

    [LoggerMessage(12, LogLevel.Warning, "Run {RunId}: the training data changed since the interrupted attempt ({Before} -> {After}); training again")]
    public static partial void CheckpointStale(ILogger logger, string runId, string before, string after);

    [LoggerMessage(13, LogLevel.Error, "A listener of alias moves failed after {ModelName}/{Alias} moved to {Version}; the move itself is committed")]
    public static partial void AliasListenerFailed(ILogger logger, Exception exception, string modelName, string alias, string version);

    [LoggerMessage(14, LogLevel.Warning, "Artifact store {Folder}: removed {Count} partial files ({Bytes} bytes) left by interrupted writes")]
    public static partial void PartialArtifactsRemoved(ILogger logger, string folder, int count, long bytes);

    [LoggerMessage(15, LogLevel.Information, "A firing of {ModelName}'s schedule already started run {RunId} (held by {Holder}); it does not run again here")]
    public static partial void FiringAlreadyRan(ILogger logger, string modelName, string runId, string holder);

    [LoggerMessage(16, LogLevel.Warning, "Run {RunId} of {ModelName}: an operator's request about it could not be read or closed; the next look at it tries again")]
    public static partial void RequestNotClosed(ILogger logger, Exception exception, string runId, string modelName);

    [LoggerMessage(17, LogLevel.Warning, "Run {RunId} of {ModelName}: anomaly {Kind} at {Stage}: {Message} ({Parameters})")]
    public static partial void RunAnomaly(ILogger logger, string runId, string modelName, RunAnomalyKind kind, string stage, string message, string parameters);

    [LoggerMessage(18, LogLevel.Debug, "Run {RunId} of {ModelName}: its anomalies could not be judged (the journal could not be read)")]
    public static partial void AnomaliesNotJudged(ILogger logger, Exception exception, string runId, string modelName);
}
