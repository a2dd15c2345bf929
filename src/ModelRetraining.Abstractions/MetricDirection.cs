namespace ModelRetraining;

/// <summary>Which way a metric improves.</summary>
public enum MetricDirection
{
    /// <summary>Larger values are better (AUC, accuracy, R²).</summary>
    HigherIsBetter = 0,

    /// <summary>Smaller values are better (log-loss, RMSE).</summary>
    LowerIsBetter = 1,
}
