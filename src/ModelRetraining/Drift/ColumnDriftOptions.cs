namespace ModelRetraining;

/// <summary>A per-column override of the drift method and threshold. It changes only its own column: the global thresholds stay as they are for every other column.</summary>
public sealed class ColumnDriftOptions
{
    /// <summary>Gets or sets the method.</summary>
    /// <value>The default value is <see cref="DriftMethod.Auto"/>.</value>
    public DriftMethod Method { get; set; } = DriftMethod.Auto;

    /// <summary>Gets or sets the threshold for this column: a p-value for tests, a distance otherwise; <see langword="null"/> uses the global one for the method.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public double? Threshold { get; set; }

    /// <summary>Gets or sets a value indicating whether the column is left out of drift checks.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Ignore { get; set; }
}
