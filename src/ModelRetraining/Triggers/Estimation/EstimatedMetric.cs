namespace ModelRetraining;

/// <summary>A binary classifier's metric that <see cref="ConfidenceBasedPerformanceEstimator"/> estimates without labels.</summary>
public enum EstimatedMetric
{
    /// <summary>Share of right answers at the decision threshold.</summary>
    Accuracy = 0,

    /// <summary>Area under the ROC curve.</summary>
    RocAuc = 1,

    /// <summary>F1 at the decision threshold.</summary>
    F1 = 2,

    /// <summary>Precision at the decision threshold.</summary>
    Precision = 3,

    /// <summary>Recall at the decision threshold.</summary>
    Recall = 4,
}
