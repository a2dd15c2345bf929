namespace ModelRetraining;

/// <summary>One named value of two versions side by side (<see cref="ModelVersionDiff"/>); a side is <see langword="null"/> when that version lacks it.</summary>
/// <param name="Name">The parameter, data set, attachment or tag.</param>
/// <param name="From">The value in the version compared from.</param>
/// <param name="To">The value in the version compared to.</param>
public sealed record ValueDifference(string Name, string? From, string? To);
