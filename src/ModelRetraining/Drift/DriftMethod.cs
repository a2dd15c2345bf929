namespace ModelRetraining;

/// <summary>How a column's reference and current distributions are compared.</summary>
public enum DriftMethod
{
    /// <summary>
    /// Chosen per column as Evidently's default does, by the reference size and the number of distinct
    /// present values in reference and current together: up to <see cref="DriftOptions.SmallSampleLimit"/>
    /// reference rows a p-value test (two values: <see cref="ZTest"/>; a categorical column or a numeric
    /// one with at most 5 values: <see cref="ChiSquared"/>; other numeric: <see cref="KolmogorovSmirnov"/>),
    /// above it a distance (numeric with more than 5 values: <see cref="Wasserstein"/>; otherwise
    /// <see cref="JensenShannon"/> over the values' shares). A numeric column with at most 5 values is
    /// compared as categories of its values.
    /// </summary>
    Auto = 0,

    /// <summary>Two-sample Kolmogorov–Smirnov test (numeric); drift when p ≤ threshold (as Evidently).</summary>
    KolmogorovSmirnov = 1,

    /// <summary>First Wasserstein distance divided by the reference standard deviation (numeric); drift when ≥ threshold.</summary>
    Wasserstein = 2,

    /// <summary>Population stability index over reference-decile bins (numeric) or categories; drift when ≥ threshold.</summary>
    PopulationStabilityIndex = 3,

    /// <summary>Jensen–Shannon distance (natural log) over reference-decile bins or categories; drift when ≥ threshold.</summary>
    JensenShannon = 4,

    /// <summary>Pearson's chi-squared test of the current category counts against the reference shares (categorical); drift when p &lt; threshold.</summary>
    ChiSquared = 5,

    /// <summary>The largest change of one category's share (categorical); drift when ≥ threshold.</summary>
    LInfinity = 6,

    /// <summary>Two-proportion Z-test (pooled, two-sided, no continuity correction) of a two-valued column's shares, as Evidently's <c>z</c> test; drift when p &lt; threshold.</summary>
    ZTest = 7,
}
