using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.MLNet;

namespace ModelRetraining.Onnx;

/// <summary>
/// Scores the candidate and the champion on ONNX Runtime (each from its ONNX artifact or its
/// <c>model.onnx</c> attachment) on the same holdout, and computes the metrics from the per-row scores.
/// The execution provider used is recorded with each evaluation.
/// </summary>
internal sealed class OnnxEvaluator(MLTask task, OnnxModelOptions options, ILogger logger) : IEvaluator, IModelScorer
{
    private static readonly string[] BinaryMetrics = ["AUC", "Accuracy", "LogLoss", "Brier", "F1", "Precision", "Recall"];
    private static readonly string[] RegressionMetrics = ["RMSE", "MSE", "MAE", "R2"];

    public string Name => $"onnx-{task}";

    public ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var labels = Labels(input.Holdout);
        var candidate = Evaluate("candidate", OnnxArtifact(input.Candidate.Artifact, input.Candidate.Attachments, "the candidate"), input.Holdout, labels, cancellationToken);
        var champion = input.Champion is { } c ? Evaluate(c.Version.ToString(), OnnxArtifact(c.Artifact, new Dictionary<string, ModelArtifact>(), c.Version.ToString()), input.Holdout, labels, cancellationToken) : null;
        return ValueTask.FromResult(new EvaluationReport(candidate, champion, input.Holdout.Name, input.Holdout.RowCount));
    }

    public ValueTask<PerRowOutputs> ScoreAsync(ModelArtifact artifact, DatasetSnapshot data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var model = OnnxModel.Load(OnnxArtifact(artifact, new Dictionary<string, ModelArtifact>(), artifact.FileName), options, logger);
        return ValueTask.FromResult(new PerRowOutputs(Labels(data), model.Score(data, cancellationToken)));
    }

    private ModelEvaluation Evaluate(string name, ModelArtifact artifact, DatasetSnapshot holdout, float[] labels, CancellationToken cancellationToken)
    {
        using var model = OnnxModel.Load(artifact, options, logger);
        var scores = model.Score(holdout, cancellationToken);
        var order = PairedStatistics.Order(scores);
        var weights = new float[scores.Length];
        Array.Fill(weights, 1f);
        var metrics = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        foreach (var metric in task == MLTask.Regression ? RegressionMetrics : BinaryMetrics)
        {
            metrics[metric] = new MetricValue(metric, PairedStatistics.Metric(metric, labels, scores, weights, order), PairedStatistics.Supported[metric]);
        }

        return new ModelEvaluation(name, metrics) { Outputs = new PerRowOutputs(labels, scores), ExecutionProvider = model.ExecutionProvider.ToString() };
    }

    private static ModelArtifact OnnxArtifact(ModelArtifact artifact, IReadOnlyDictionary<string, ModelArtifact> attachments, string what)
        => attachments.GetValueOrDefault(OnnxExport.Attachment)
            ?? (artifact.Flavor == "onnx" ? artifact : throw new InvalidDataException($"{what} has no ONNX model (flavor '{artifact.Flavor}'); export it with ExportOnnx() or import an ONNX model."));

    private static float[] Labels(DatasetSnapshot data)
    {
        var label = data.Schema.LabelColumn ?? throw new InvalidDataException($"'{data.Name}' has no label column to evaluate against.");
        var column = data.Data.Schema.GetColumnOrNull(label) is { } found ? found : throw new InvalidDataException($"'{data.Name}' has no column '{label}'.");
        var values = new List<float>((int)Math.Min(data.RowCount, int.MaxValue));
        using var cursor = data.Data.GetRowCursor([column]);
        if (column.Type is BooleanDataViewType)
        {
            var getter = cursor.GetGetter<bool>(column);
            bool value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                values.Add(value ? 1 : 0);
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(column);
            float value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                values.Add(value);
            }
        }

        return [.. values];
    }
}
