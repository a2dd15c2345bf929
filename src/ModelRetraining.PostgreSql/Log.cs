using Microsoft.Extensions.Logging;

namespace ModelRetraining.PostgreSql;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "The PostgreSQL registry {Registry} did not answer at start (attempt {Attempt} of {Attempts}): {Reason}; trying again")]
    public static partial void StartupAttemptFailed(ILogger logger, string registry, int attempt, int attempts, string reason);

    [LoggerMessage(2, LogLevel.Error, "A listener of alias moves failed after {ModelName}/{Alias} moved to {Version}; the move itself is committed")]
    public static partial void AliasListenerFailed(ILogger logger, Exception exception, string modelName, string alias, string version);

    [LoggerMessage(3, LogLevel.Warning, "Lost the alias-move notifications of the PostgreSQL registry {Registry}; reconnecting in {Seconds} s and re-reading every alias then")]
    public static partial void AliasListenerLost(ILogger logger, Exception exception, string registry, double seconds);

    [LoggerMessage(6, LogLevel.Warning, "The PostgreSQL registry {Registry} lost a connection (attempt {Attempt} of {Attempts}): {Reason}; nothing was committed, trying again on a new one")]
    public static partial void BrokenConnection(ILogger logger, string registry, int attempt, int attempts, string reason);
}
