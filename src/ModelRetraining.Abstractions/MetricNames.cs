namespace ModelRetraining;

/// <summary>
/// The metric names the library's evaluators report (<see cref="MetricValue.Name"/>), spelled once: gates,
/// dashboards and CLIs use these constants, and <see cref="For"/> lists what an evaluator of a task may report,
/// so that a gate on a misspelt metric is refused when the pipeline is built, not at its first run.
/// </summary>
public static class MetricNames
{
    /// <summary>Area under the ROC curve (binary; higher is better).</summary>
    public const string Auc = "AUC";

    /// <summary>Area under the precision-recall curve (binary; higher is better).</summary>
    public const string PrAuc = "PR-AUC";

    /// <summary>Share of rows predicted right (binary; higher is better).</summary>
    public const string Accuracy = "Accuracy";

    /// <summary>Harmonic mean of precision and recall of the positive class (binary; higher is better).</summary>
    public const string F1 = "F1";

    /// <summary>Precision of the positive class (binary; higher is better).</summary>
    public const string Precision = "Precision";

    /// <summary>Recall of the positive class (binary; higher is better).</summary>
    public const string Recall = "Recall";

    /// <summary>
    /// Log-loss in <b>bits</b> (base-2 logarithm) for every task and every evaluator, as ML.NET's binary
    /// evaluator reports it (its multiclass evaluator reports nats and is converted); the bootstrap, slices
    /// and significance tests recompute it in bits too. Divide by 1.4427 for the nats of scikit-learn.
    /// Binary and multiclass, calibrated models; lower is better.
    /// </summary>
    public const string LogLoss = "LogLoss";

    /// <summary>Brier score (binary, calibrated models; lower is better).</summary>
    public const string Brier = "Brier";

    /// <summary>Expected calibration error (binary, calibrated models; lower is better).</summary>
    public const string ExpectedCalibrationError = "ECE";

    /// <summary>Micro-averaged accuracy (multiclass; higher is better).</summary>
    public const string MicroAccuracy = "MicroAccuracy";

    /// <summary>Macro-averaged accuracy (multiclass; higher is better).</summary>
    public const string MacroAccuracy = "MacroAccuracy";

    /// <summary>Macro-averaged F1 (multiclass; higher is better).</summary>
    public const string MacroF1 = "MacroF1";

    /// <summary>Micro-averaged F1 (multiclass; higher is better).</summary>
    public const string MicroF1 = "MicroF1";

    /// <summary>Root mean squared error (regression; lower is better).</summary>
    public const string Rmse = "RMSE";

    /// <summary>Mean absolute error (regression; lower is better).</summary>
    public const string Mae = "MAE";

    /// <summary>Mean squared error (regression; lower is better).</summary>
    public const string Mse = "MSE";

    /// <summary>Coefficient of determination (regression; higher is better).</summary>
    public const string R2 = "R2";

    private static readonly string[] Binary = [Auc, PrAuc, Accuracy, F1, Precision, Recall, LogLoss, Brier, ExpectedCalibrationError];
    private static readonly string[] Multiclass = [MicroAccuracy, MacroAccuracy, LogLoss, MacroF1, MicroF1];
    private static readonly string[] Regression = [Rmse, Mae, Mse, R2];

    /// <summary>Lists the metrics an evaluator of a task may report (some only for calibrated models).</summary>
    /// <param name="task">The task.</param>
    /// <returns>The metric names.</returns>
    public static IReadOnlyList<string> For(MLTask task) => task switch
    {
        MLTask.BinaryClassification => Binary,
        MLTask.MulticlassClassification => Multiclass,
        MLTask.Regression => Regression,
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Not a task."),
    };
}
