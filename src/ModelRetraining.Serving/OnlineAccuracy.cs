namespace ModelRetraining.Serving;

/// <summary>How often a version's answers were right, over the outcomes recorded in the server's outcome window.</summary>
/// <param name="Version">The version.</param>
/// <param name="Outcomes">How many outcomes were recorded for it.</param>
/// <param name="Accuracy">The share of them that were right; NaN before any.</param>
public sealed record OnlineAccuracy(int Version, long Outcomes, double Accuracy)
{
    /// <inheritdoc />
    public override string ToString()
        => Outcomes == 0 ? $"v{Version}: no outcomes yet" : FormattableString.Invariant($"v{Version}: accuracy {Accuracy:0.####} over {Outcomes} outcomes");
}
