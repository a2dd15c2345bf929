using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.MLNet;

/// <summary>Scores the candidate and the champion on the same holdout rows with ML.NET's evaluators.</summary>
internal sealed class MLNetEvaluator(MLTask task, MLNetEvaluationOptions options) : IEvaluator, IModelScorer, IReportsMetrics
{
    public string Name => $"mlnet-{task}";

    public IReadOnlyCollection<string> ReportedMetrics => MetricNames.For(task);

    public async ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var label = options.LabelColumn ?? input.Holdout.Schema.LabelColumn
            ?? throw new InvalidOperationException($"The holdout '{input.Holdout.Name}' names no label column; set {nameof(MLNetEvaluationOptions)}.{nameof(MLNetEvaluationOptions.LabelColumn)}.");

        return await Task.Factory.StartNew(
            () =>
            {
                var ml = new MLContext(options.Seed);
                var candidateModel = input.Candidate.LiveModel as ITransformer ?? Load(ml, input.Candidate.Artifact, "candidate");
                var candidate = Evaluate(ml, candidateModel, input.Holdout.Data, label, "candidate");
                cancellationToken.ThrowIfCancellationRequested();
                context.ReportProgress(RetrainingStage.Evaluating, 0.5, "candidate scored");
                ModelEvaluation? champion = null;
                if (input.Champion is { } current)
                {
                    var championModel = Load(ml, current.Artifact, $"champion {current.Version}");
                    champion = Evaluate(ml, championModel, input.Holdout.Data, label, $"champion v{current.Version.Version}");
                }

                return new EvaluationReport(candidate, champion, input.Holdout.Fingerprint, input.Holdout.RowCount);
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
    }

    public async ValueTask<PerRowOutputs> ScoreAsync(ModelArtifact artifact, DatasetSnapshot data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(data);
        var label = options.LabelColumn ?? data.Schema.LabelColumn
            ?? throw new InvalidOperationException($"'{data.Name}' names no label column; set {nameof(MLNetEvaluationOptions)}.{nameof(MLNetEvaluationOptions.LabelColumn)}.");
        return await Task.Run(
            () =>
            {
                var ml = new MLContext(options.Seed);
                var predictions = Load(ml, artifact, "rollback target").Transform(data.Data);
                return task switch
                {
                    MLTask.BinaryClassification => new PerRowOutputs(
                        predictions.GetColumn<bool>(label).Select(b => b ? 1f : 0f).ToArray(),
                        predictions.GetColumn<float>(predictions.Schema.GetColumnOrNull("Probability") is null ? "Score" : "Probability").ToArray()),
                    MLTask.Regression => new PerRowOutputs(predictions.GetColumn<float>(label).ToArray(), predictions.GetColumn<float>("Score").ToArray()),
                    _ => new PerRowOutputs(predictions.GetColumn<uint>(label).Select(k => (float)k).ToArray(), predictions.GetColumn<uint>("PredictedLabel").Select(k => (float)k).ToArray()),
                };
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static ITransformer Load(MLContext ml, ModelArtifact artifact, string which)
    {
        if (!string.Equals(artifact.Flavor, MLNetTrainer.Flavor, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The {which} artifact is of flavor '{artifact.Flavor}'; the ML.NET evaluator reads '{MLNetTrainer.Flavor}'.");
        }

        try
        {
            using var stream = new MemoryStream(artifact.Content.ToArray(), writable: false);
            return ml.Model.Load(stream, out _);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException or System.Runtime.Serialization.SerializationException or ArgumentException)
        {
            throw new InvalidDataException($"The {which} model ({artifact.FileName}) could not be loaded by ML.NET: {ex.Message}", ex);
        }
    }

    private ModelEvaluation Evaluate(MLContext ml, ITransformer model, IDataView holdout, string label, string which)
    {
        // ML.NET's metrics read the scores in one pass and the per-row outputs (for the paired tests,
        // Brier, calibration) in more: cached on the first, the model scores the holdout once, not three times.
        // The cache comes from a context of its own: creating it through `ml` would draw from the seeded
        // generator ML.NET's binary evaluator samples AUC and PR-AUC with on large holdouts.
        var scored = model.Transform(holdout);
        var predictions = new MLContext(options.Seed).Data.Cache(scored, new[] { label, "Score", "Probability", "PredictedLabel" }.Where(c => scored.Schema.GetColumnOrNull(c) is not null).Distinct(StringComparer.Ordinal).ToArray());
        var metrics = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        void Add(string name, double value, MetricDirection direction) => metrics[name] = new MetricValue(name, value, direction);
        PerRowOutputs? outputs = null;
        IReadOnlyList<CalibrationBin> calibration = [];

        switch (task)
        {
            case MLTask.BinaryClassification:
            {
                var calibrated = predictions.Schema.GetColumnOrNull("Probability") is not null;
                if (calibrated)
                {
                    var m = ml.BinaryClassification.Evaluate(predictions, label);
                    Add("LogLoss", m.LogLoss, MetricDirection.LowerIsBetter);
                    Fill(m);
                }
                else
                {
                    Fill(ml.BinaryClassification.EvaluateNonCalibrated(predictions, label));
                }

                var labels = predictions.GetColumn<bool>(label).Select(b => b ? 1f : 0f).ToArray();
                var scores = predictions.GetColumn<float>(calibrated ? "Probability" : "Score").ToArray();
                if (calibrated)
                {
                    double brier = 0;
                    for (var i = 0; i < labels.Length; i++)
                    {
                        var d = scores[i] - labels[i];
                        brier += d * d;
                    }

                    Add("Brier", labels.Length == 0 ? double.NaN : brier / labels.Length, MetricDirection.LowerIsBetter);
                }

                outputs = new PerRowOutputs(labels, scores);
                if (calibrated && options.DecisionThreshold != 0.5)
                {
                    // ML.NET counts a probability of 0.5 or more as positive; another threshold is applied here.
                    double tp = 0, fp = 0, tn = 0, fn = 0;
                    for (var i = 0; i < labels.Length; i++)
                    {
                        var positive = scores[i] >= options.DecisionThreshold;
                        (tp, fp, tn, fn) = (labels[i] > 0.5f, positive) switch
                        {
                            (true, true) => (tp + 1, fp, tn, fn),
                            (false, true) => (tp, fp + 1, tn, fn),
                            (false, false) => (tp, fp, tn + 1, fn),
                            _ => (tp, fp, tn, fn + 1),
                        };
                    }

                    var precision = tp + fp == 0 ? 0 : tp / (tp + fp);
                    var recall = tp + fn == 0 ? 0 : tp / (tp + fn);
                    Add("Accuracy", (tp + tn) / labels.Length, MetricDirection.HigherIsBetter);
                    Add("Precision", precision, MetricDirection.HigherIsBetter);
                    Add("Recall", recall, MetricDirection.HigherIsBetter);
                    Add("F1", precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall), MetricDirection.HigherIsBetter);
                }

                if (calibrated)
                {
                    calibration = Calibration.ReliabilityTable(labels, scores);
                    Add("ECE", Calibration.ExpectedCalibrationError(calibration), MetricDirection.LowerIsBetter);
                }

                break;

                void Fill(BinaryClassificationMetrics m)
                {
                    Add("AUC", m.AreaUnderRocCurve, MetricDirection.HigherIsBetter);
                    Add("PR-AUC", m.AreaUnderPrecisionRecallCurve, MetricDirection.HigherIsBetter);
                    Add("Accuracy", m.Accuracy, MetricDirection.HigherIsBetter);
                    Add("F1", m.F1Score, MetricDirection.HigherIsBetter);
                    Add("Precision", m.PositivePrecision, MetricDirection.HigherIsBetter);
                    Add("Recall", m.PositiveRecall, MetricDirection.HigherIsBetter);
                }
            }

            case MLTask.MulticlassClassification:
            {
                var m = ml.MulticlassClassification.Evaluate(predictions, label);
                Add("MicroAccuracy", m.MicroAccuracy, MetricDirection.HigherIsBetter);
                Add("MacroAccuracy", m.MacroAccuracy, MetricDirection.HigherIsBetter);

                // ML.NET's multiclass log-loss is in nats, its binary one in bits: reported in bits for every task.
                Add("LogLoss", m.LogLoss / Math.Log(2), MetricDirection.LowerIsBetter);

                // F1 per class from the confusion matrix: macro averages the classes, micro pools every row
                // (for single-label classification micro-F1 equals micro-accuracy).
                var precision = m.ConfusionMatrix.PerClassPrecision;
                var recall = m.ConfusionMatrix.PerClassRecall;
                var f1 = precision.Zip(recall, (p, r) => p + r == 0 ? 0 : 2 * p * r / (p + r)).ToArray();
                Add("MacroF1", f1.Length == 0 ? double.NaN : f1.Average(), MetricDirection.HigherIsBetter);
                Add("MicroF1", m.MicroAccuracy, MetricDirection.HigherIsBetter);
                var keyed = predictions.Schema[label].Type is KeyDataViewType;
                if (keyed && predictions.Schema.GetColumnOrNull("PredictedLabel") is { Type: KeyDataViewType })
                {
                    var labels = predictions.GetColumn<uint>(label).Select(k => (float)k).ToArray();
                    var predicted = predictions.GetColumn<uint>("PredictedLabel").Select(k => (float)k).ToArray();
                    outputs = new PerRowOutputs(labels, predicted);
                }

                break;
            }

            case MLTask.Regression:
            {
                var m = ml.Regression.Evaluate(predictions, label);
                Add("RMSE", m.RootMeanSquaredError, MetricDirection.LowerIsBetter);
                Add("MAE", m.MeanAbsoluteError, MetricDirection.LowerIsBetter);
                Add("MSE", m.MeanSquaredError, MetricDirection.LowerIsBetter);
                Add("R2", m.RSquared, MetricDirection.HigherIsBetter);
                var actual = predictions.GetColumn<float>(label).ToArray();
                var predicted = predictions.GetColumn<float>("Score").ToArray();
                outputs = new PerRowOutputs(actual, predicted);

                // MAPE is defined only where the actual value is not 0; it is left out when no row qualifies.
                var defined = actual.Select((a, i) => (a, p: predicted[i])).Where(x => x.a != 0 && float.IsFinite(x.a)).ToArray();
                if (defined.Length > 0)
                {
                    Add("MAPE", defined.Average(x => Math.Abs((x.a - x.p) / x.a)), MetricDirection.LowerIsBetter);
                }

                break;
            }
        }

        return new ModelEvaluation(which, metrics) { Outputs = options.KeepPerRowOutputs ? outputs : null, Calibration = calibration };
    }
}
