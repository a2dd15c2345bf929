namespace ModelRetraining;

/// <summary>The drift verdict for one column: which test, its score, the threshold, and why.</summary>
/// <param name="Column">The column.</param>
/// <param name="Kind">The column type (in the reference).</param>
/// <param name="Method">The method used.</param>
/// <param name="Statistic">The test statistic or the distance.</param>
/// <param name="Threshold">The threshold (a p-value for tests, a distance otherwise).</param>
/// <param name="Drifted">Whether the column drifted.</param>
/// <param name="Reason">A sentence naming the test, the numbers and the decision.</param>
public sealed record ColumnDriftResult(string Column, DataColumnKind Kind, DriftMethod Method, double Statistic, double Threshold, bool Drifted, string Reason)
{
    /// <summary>Gets the p-value of a test (as computed, before the false-discovery correction).</summary>
    public double? PValue { get; init; }

    /// <summary>Gets a value indicating whether the p-value is exact (both samples held and small enough) rather than asymptotic.</summary>
    public bool ExactPValue { get; init; }

    /// <summary>Gets the effect size held against the floor: normed Wasserstein (numeric) or L-infinity (categorical).</summary>
    public double? EffectSize { get; init; }

    /// <summary>Gets the bound on the statistic's error when it was computed from sketches rather than raw values.</summary>
    public double? ErrorBound { get; init; }

    /// <summary>Gets the present values compared on each side.</summary>
    public long ReferenceCount { get; init; }

    /// <summary>Gets the present values compared on the current side.</summary>
    public long CurrentCount { get; init; }

    /// <summary>Gets the missing share in the reference.</summary>
    public double ReferenceMissingShare { get; init; }

    /// <summary>Gets the missing share in the current data.</summary>
    public double CurrentMissingShare { get; init; }

    /// <summary>Gets the binned distributions, for pictures.</summary>
    public IReadOnlyList<DriftBin> Bins { get; init; } = [];
}
