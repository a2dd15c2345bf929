namespace ModelRetraining;

/// <summary>The learning task, which decides the metrics an evaluator computes.</summary>
public enum MLTask
{
    /// <summary>Two classes; a Boolean label. Metrics: AUC, PR-AUC, Accuracy, F1, Precision, Recall, LogLoss, Brier.</summary>
    BinaryClassification = 0,

    /// <summary>More than two classes; the label becomes a key inside the model. Metrics: MicroAccuracy, MacroAccuracy, LogLoss.</summary>
    MulticlassClassification = 1,

    /// <summary>A numeric label. Metrics: RMSE, MAE, MSE, R2.</summary>
    Regression = 2,
}
