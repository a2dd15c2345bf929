namespace ModelRetraining;

/// <summary>One bin or category of a drift comparison, for reports and pictures.</summary>
/// <param name="Label">The bin's range or the category.</param>
/// <param name="ReferenceShare">The reference's share of present values in it.</param>
/// <param name="CurrentShare">The current data's share of present values in it.</param>
public sealed record DriftBin(string Label, double ReferenceShare, double CurrentShare);
