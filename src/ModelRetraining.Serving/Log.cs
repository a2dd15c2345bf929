using Microsoft.Extensions.Logging;

namespace ModelRetraining.Serving;

/// <summary>Every log event of the serving package, with fixed ids (70–80; docs/observability.md lists them).</summary>
internal static partial class Log
{
    [LoggerMessage(70, LogLevel.Information, "Serving {ModelName} v{Version} (was {Previous})")]
    public static partial void Swapped(ILogger logger, string modelName, int version, string previous);

    [LoggerMessage(71, LogLevel.Warning, "{ModelName} v{Version} failed to load; still serving {Current}")]
    public static partial void SwapFailed(ILogger logger, Exception exception, string modelName, int version, string current);

    [LoggerMessage(72, LogLevel.Warning, "Polling the registry for {ModelName} failed")]
    public static partial void PollFailed(ILogger logger, Exception exception, string modelName);

    [LoggerMessage(73, LogLevel.Warning, "{ModelName} {Alias} rolled back from v{From} to v{To} by {Actor}: {Reason}")]
    public static partial void RolledBack(ILogger logger, string modelName, string alias, string from, string to, string actor, string reason);

    [LoggerMessage(74, LogLevel.Information, "{ModelName} {Mode} rollout of v{Challenger}: {Status}: {Change}")]
    public static partial void RolloutChanged(ILogger logger, string modelName, RolloutMode mode, int challenger, RolloutStatus status, string change);

    [LoggerMessage(75, LogLevel.Warning, "{ModelName} rollout of v{Challenger} rolled back; all traffic to v{Champion}: {Details}")]
    public static partial void RolloutRolledBack(ILogger logger, string modelName, int challenger, int champion, string details);

    [LoggerMessage(76, LogLevel.Debug, "{ModelName} challenger v{Challenger} failed a request; the champion answered")]
    public static partial void ChallengerFailed(ILogger logger, Exception exception, string modelName, int challenger);

    [LoggerMessage(77, LogLevel.Information, "{ModelName} rollout of v{Challenger} analysed: {Analysis}")]
    public static partial void Analysis(ILogger logger, string modelName, int challenger, string analysis);

    [LoggerMessage(78, LogLevel.Warning, "{ModelName} rollout analysis failed")]
    public static partial void AnalysisFailed(ILogger logger, Exception exception, string modelName);

    [LoggerMessage(79, LogLevel.Error, "{ModelName} {Alias} was rolled back to {Target}, but this server could not load it and still serves {Serving}: {Cause}")]
    public static partial void RollbackNotFollowed(ILogger logger, string modelName, string alias, string target, string serving, string cause);

    [LoggerMessage(80, LogLevel.Warning, "{ModelName} v{Version} was trained on derived columns ({Columns}) that this server does not compute: the caller must fill them exactly as training did (set the server's Derivations to the training schema's)")]
    public static partial void DerivedByCaller(ILogger logger, string modelName, int version, string columns);
}
