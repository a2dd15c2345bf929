namespace ModelRetraining;

/// <summary>How a column's reference and current distributions are compared.</summary>
public enum DriftMethod
{
    /// <summary>Chosen per column type and reference size, as Evidently does: up to <see cref="DriftOptions.SmallSampleLimit"/> reference rows a p-value test (KS for numeric, chi-squared for categorical), above it a distance (normed Wasserstein for numeric, Jensen–Shannon for categorical).</summary>
    Auto = 0,

    /// <summary>Two-sample Kolmogorov–Smirnov test (numeric); drift when p &lt; threshold.</summary>
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
}
