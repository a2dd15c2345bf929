namespace ModelRetraining;

/// <summary>One metric of two versions side by side (<see cref="ModelVersionDiff"/>); a side is <see langword="null"/> when that version lacks it.</summary>
/// <param name="Name">The metric.</param>
/// <param name="From">Its value in the version compared from.</param>
/// <param name="To">Its value in the version compared to.</param>
/// <param name="Direction">Which way it improves.</param>
public sealed record MetricDifference(string Name, double? From, double? To, MetricDirection Direction)
{
    /// <summary>Gets how much better <see cref="To"/> is in the metric's own direction (negative when worse); <see langword="null"/> unless both versions have the metric.</summary>
    public double? Improvement => From is { } a && To is { } b ? MetricValue.Improvement(b, a, Direction) : null;
}
