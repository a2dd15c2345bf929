using ModelRetraining;
using ModelRetraining.MLNet;

namespace HostedService;

/// <summary>
/// The rows of the days that have arrived, in a window that moves with the clock: [today − <c>from</c>,
/// today − <c>to</c>). Each day's flights become visible when the clock passes midnight, as a daily batch would.
/// </summary>
/// <param name="source">The flights file.</param>
/// <param name="from">How many days back the window starts.</param>
/// <param name="to">How many days back the window ends (0: up to today).</param>
public sealed class SlidingWindow(CsvDataSource source, int from, int to) : IDataSource
{
    /// <inheritdoc />
    public string Name => $"{source.Name} [today-{from}d, today-{to}d)";

    /// <inheritdoc />
    public ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var today = context.TimeProvider.GetUtcNow().UtcDateTime.Date;
        return source.Between(today.AddDays(-from), today.AddDays(-to)).LoadAsync(context, cancellationToken);
    }
}
