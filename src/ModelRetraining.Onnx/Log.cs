using Microsoft.Extensions.Logging;

namespace ModelRetraining.Onnx;

/// <summary>Every log event of this package, with fixed ids (60–69; docs/observability.md lists them).</summary>
internal static partial class Log
{
    [LoggerMessage(60, LogLevel.Warning, "'{Model}' runs on {Provider}: the preferred execution provider could not be used ({Reasons})")]
    public static partial void ProviderFallback(ILogger logger, string model, OnnxExecutionProvider provider, string reasons);

    [LoggerMessage(61, LogLevel.Information, "Run {RunId}: training command {Stream}: {Line}")]
    public static partial void CommandOutput(ILogger logger, string runId, string stream, string line);
}
