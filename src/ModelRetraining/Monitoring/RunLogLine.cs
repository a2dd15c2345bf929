using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>A log line a run wrote (its pipeline, stages, trainer, validators), as <see cref="RunMonitor"/> keeps the latest of them.</summary>
/// <param name="Sequence">The line's number within the run, from 1: a page that saw line N asks only for later ones.</param>
/// <param name="At">When it was written.</param>
/// <param name="Level">Its level.</param>
/// <param name="Category">The logger's category.</param>
/// <param name="Message">The formatted message (a model's or a user's text may be in it: encode it where it is shown).</param>
public sealed record RunLogLine(long Sequence, DateTimeOffset At, LogLevel Level, string Category, string Message);
