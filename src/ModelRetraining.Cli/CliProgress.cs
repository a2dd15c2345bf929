using Spectre.Console;

namespace ModelRetraining.Cli;

/// <summary>
/// A progress bar per file on standard error, fed by the sources' own progress reports (the share of the
/// file's bytes or row groups read). Shown only to a person: not with <c>--json</c>, not when standard
/// error is redirected, not with <c>NO_COLOR</c> or <c>TERM=dumb</c>; then the work simply runs.
/// </summary>
internal static class CliProgress
{
    public static bool Visible(Output output)
        => !output.Json && !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>Runs <paramref name="work"/> with one task per label; the work gets a sink per label (null when no bar is shown).</summary>
    public static async Task<T> RunAsync<T>(Output output, IReadOnlyList<string> labels, Func<IReadOnlyList<IProgress<RetrainingProgress>?>, Task<T>> work)
    {
        if (!Visible(output))
        {
            return await work([.. labels.Select(_ => (IProgress<RetrainingProgress>?)null)]).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var sinks = labels.Select(label => (IProgress<RetrainingProgress>?)new TaskSink(context.AddTask(Markup.Escape(label), maxValue: 1.0))).ToArray();
                var result = await work(sinks).ConfigureAwait(false);
                foreach (var sink in sinks.Cast<TaskSink>())
                {
                    sink.Complete();
                }

                return result;
            }).ConfigureAwait(false);
    }

    // Reports arrive on the reading thread; Spectre's task is safe to update from any thread.
    private sealed class TaskSink(ProgressTask task) : IProgress<RetrainingProgress>
    {
        public void Report(RetrainingProgress value)
        {
            if (value.Fraction is { } fraction)
            {
                task.Value = Math.Clamp(fraction, 0, 1);
            }
        }

        public void Complete() => task.Value = task.MaxValue;
    }
}
