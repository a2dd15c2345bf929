using ModelRetraining;

namespace QuickStart;

/// <summary>Prints one line as each stage of a run begins, so a long first run is not silent.</summary>
/// <param name="output">Where the lines go.</param>
internal sealed class StageProgress(TextWriter output) : IProgress<RetrainingProgress>
{
    // Synchronous on purpose: Progress<T> would post to the thread pool and print out of order.
    public void Report(RetrainingProgress value)
    {
        if (value.Fraction == 0)
        {
            output.WriteLine($"  .. {value.Stage}: {value.Message}");
        }
    }
}
