namespace ModelRetraining;

/// <summary>Drift-detection settings. Defaults follow Evidently's, plus an effect-size floor and false-discovery control.</summary>
public sealed class DriftOptions
{
    /// <summary>Gets or sets the p-value below which a test reports drift.</summary>
    /// <value>The default value is 0.05.</value>
    public double PValueThreshold { get; set; } = 0.05;

    /// <summary>Gets or sets the distance at or above which Wasserstein (normed), Jensen–Shannon and L-infinity report drift.</summary>
    /// <value>The default value is 0.1.</value>
    public double DistanceThreshold { get; set; } = 0.1;

    /// <summary>Gets or sets the PSI at or above which PSI reports drift.</summary>
    /// <value>The default value is 0.1.</value>
    public double PsiThreshold { get; set; } = 0.1;

    /// <summary>Gets or sets the largest reference size for which <see cref="DriftMethod.Auto"/> picks a p-value test.</summary>
    /// <value>The default value is 1,000 rows.</value>
    public long SmallSampleLimit { get; set; } = 1_000;

    /// <summary>Gets or sets the share of drifted columns at which the data set counts as drifted.</summary>
    /// <value>The default value is 0.5.</value>
    public double DriftShare { get; set; } = 0.5;

    /// <summary>Gets or sets a value indicating whether p-value tests across columns are corrected with Benjamini–Hochberg at <see cref="PValueThreshold"/>, so the expected share of false alarms among flagged columns stays at or below it.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ControlFalseDiscoveryRate { get; set; } = true;

    /// <summary>Gets or sets the smallest numeric shift, in reference standard deviations (normed Wasserstein), that a significant p-value test may report: large samples make tests fire on negligible shifts.</summary>
    /// <value>The default value is 0.05.</value>
    public double NumericEffectSizeFloor { get; set; } = 0.05;

    /// <summary>Gets or sets the smallest change of a category's share (L-infinity) that a significant chi-squared test may report.</summary>
    /// <value>The default value is 0.02.</value>
    public double CategoricalEffectSizeFloor { get; set; } = 0.02;

    /// <summary>Gets or sets the change of a column's missing share at or above which the column counts as drifted (a column that was empty and is now filled, or the reverse).</summary>
    /// <value>The default value is 0.1.</value>
    public double MissingShareThreshold { get; set; } = 0.1;

    /// <summary>Gets per-column overrides, by column name.</summary>
    public IDictionary<string, ColumnDriftOptions> Columns { get; } = new Dictionary<string, ColumnDriftOptions>(StringComparer.Ordinal);

    /// <summary>Sets an override for one column.</summary>
    /// <param name="column">The column.</param>
    /// <param name="method">The method.</param>
    /// <param name="threshold">Its threshold, or <see langword="null"/> for the global one.</param>
    /// <returns>These options.</returns>
    public DriftOptions ForColumn(string column, DriftMethod method, double? threshold = null)
    {
        Columns[column] = new ColumnDriftOptions { Method = method, Threshold = threshold };
        return this;
    }

    /// <summary>Checks every setting and reports every problem at once; hosts and adapters call it before they use the options.</summary>
    /// <returns>One sentence per problem naming the setting; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Probability(string name, double value, bool allowZero = false)
        {
            if (double.IsNaN(value) || value < 0 || value > 1 || (!allowZero && value == 0))
            {
                errors.Add($"{name} must be in {(allowZero ? "[0, 1]" : "(0, 1]")}; it is {value}.");
            }
        }

        Probability(nameof(PValueThreshold), PValueThreshold);
        Probability(nameof(DriftShare), DriftShare);
        Probability(nameof(MissingShareThreshold), MissingShareThreshold);
        Probability(nameof(CategoricalEffectSizeFloor), CategoricalEffectSizeFloor, allowZero: true);
        if (!(DistanceThreshold > 0) || double.IsInfinity(DistanceThreshold))
        {
            errors.Add($"{nameof(DistanceThreshold)} must be a positive number; it is {DistanceThreshold}.");
        }

        if (!(PsiThreshold > 0) || double.IsInfinity(PsiThreshold))
        {
            errors.Add($"{nameof(PsiThreshold)} must be a positive number; it is {PsiThreshold}.");
        }

        if (!(NumericEffectSizeFloor >= 0) || double.IsInfinity(NumericEffectSizeFloor))
        {
            errors.Add($"{nameof(NumericEffectSizeFloor)} must be 0 or more; it is {NumericEffectSizeFloor}.");
        }

        if (SmallSampleLimit < 0)
        {
            errors.Add($"{nameof(SmallSampleLimit)} must be 0 or more; it is {SmallSampleLimit}.");
        }

        foreach (var (column, options) in Columns)
        {
            if (!Enum.IsDefined(options.Method))
            {
                errors.Add($"Columns[\"{column}\"].Method: {(int)options.Method} is not a drift method.");
            }

            if (options.Threshold is { } t && (double.IsNaN(t) || t <= 0 || double.IsInfinity(t)))
            {
                errors.Add($"Columns[\"{column}\"].Threshold must be a positive number; it is {t}.");
            }
        }

        return errors;
    }
}
