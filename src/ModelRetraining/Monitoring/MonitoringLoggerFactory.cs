using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>
/// The logger factory a pipeline with a <see cref="RunMonitor"/> builds its parts with: every logger writes to the
/// host's as before and also hands the run's lines to the monitor, so the dashboard shows a run's log tail. A
/// line belongs to the run its <c>RunId</c> property names, or else to the run executing where it was written
/// (an async-local the pipeline sets, which flows into the trainer's worker thread).
/// </summary>
internal sealed class MonitoringLoggerFactory(ILoggerFactory inner, RunMonitor monitor) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public ILogger CreateLogger(string categoryName) => new MonitoringLogger(inner.CreateLogger(categoryName), categoryName, monitor);

    // The host owns the inner factory: it disposes it.
    public void Dispose()
    {
    }

    private sealed class MonitoringLogger(ILogger inner, string category, RunMonitor monitor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel) || logLevel >= monitor.Options.MinLogLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (inner.IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }

            if (logLevel >= monitor.Options.MinLogLevel && logLevel != LogLevel.None)
            {
                var runId = RunIdOf(state);
                monitor.Write(runId, logLevel, category, exception is null ? formatter(state, exception) : $"{formatter(state, exception)} ({exception.GetType().Name}: {exception.Message})");
            }
        }

        private static string? RunIdOf<TState>(TState state)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                foreach (var (key, value) in properties)
                {
                    if (key == "RunId" && value is string runId)
                    {
                        return runId;
                    }
                }
            }

            return null;
        }
    }
}
