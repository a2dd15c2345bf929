using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Onnx;

/// <summary>
/// Scores the candidate and the champion on ONNX Runtime (each from its ONNX artifact or its
/// <c>model.onnx</c> attachment) on the same holdout, and computes the metrics from the per-row scores.
/// The execution provider used is recorded with each evaluation.
/// </summary>
internal sealed class OnnxEvaluator(MLTask task, OnnxModelOptions options, ILogger logger) : IEvaluator, IModelScorer, IReportsMetrics
{
    private static readonly string[] BinaryMetrics = [MetricNames.Auc, MetricNames.Accuracy, MetricNames.LogLoss, MetricNames.Brier, MetricNames.F1, MetricNames.Precision, MetricNames.Recall];
    private static readonly string[] RegressionMetrics = [MetricNames.Rmse, MetricNames.Mse, MetricNames.Mae, MetricNames.R2];

    // ML.NET clips the true class's probability here before taking its logarithm.
    private const double LogLossEpsilon = 1e-15;

    public string Name => $"onnx-{task}";

    // What this evaluator computes from per-row scores (no PR-AUC or calibration error on ONNX Runtime).
    public IReadOnlyCollection<string> ReportedMetrics => task switch
    {
        MLTask.BinaryClassification => BinaryMetrics,
        MLTask.Regression => RegressionMetrics,
        _ => MetricNames.For(task),
    };

    public async ValueTask<EvaluationReport> EvaluateAsync(EvaluationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var candidateModel = OnnxArtifacts.Find(input.Candidate)
            ?? throw new InvalidDataException($"The candidate has no ONNX model (flavor '{input.Candidate.Artifact.Flavor}'); export it with ExportOnnx() or import an ONNX model.");
        var championModel = input.Champion is { } current ? await ChampionOnnxAsync(current, context, cancellationToken).ConfigureAwait(false) : null;
        if (task == MLTask.MulticlassClassification)
        {
            var candidateClasses = EvaluateClasses("candidate", candidateModel, input.Holdout, cancellationToken);
            var championClasses = championModel is null ? null : EvaluateClasses(input.Champion!.Version.ToString(), championModel, input.Holdout, cancellationToken);
            return new EvaluationReport(candidateClasses, championClasses, input.Holdout.Name, input.Holdout.RowCount);
        }

        var labels = Labels(input.Holdout);
        var candidate = Evaluate("candidate", candidateModel, input.Holdout, labels, cancellationToken);
        var champion = championModel is null ? null : Evaluate(input.Champion!.Version.ToString(), championModel, input.Holdout, labels, cancellationToken);
        return new EvaluationReport(candidate, champion, input.Holdout.Name, input.Holdout.RowCount);
    }

    public ValueTask<PerRowOutputs> ScoreAsync(ModelArtifact artifact, DatasetSnapshot data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(artifact);
        if (artifact.Flavor != ArtifactFlavors.Onnx)
        {
            throw new InvalidDataException($"'{artifact.FileName}' is of flavor '{artifact.Flavor}'; the ONNX evaluator scores '{ArtifactFlavors.Onnx}' models.");
        }

        using var model = OnnxModel.Load(artifact, options, logger);
        if (task == MLTask.MulticlassClassification)
        {
            var (keys, predicted, _) = ClassOutputs(model, data, cancellationToken);
            return ValueTask.FromResult(new PerRowOutputs(keys, predicted));
        }

        return ValueTask.FromResult(new PerRowOutputs(Labels(data), model.Score(data, cancellationToken)));
    }

    // Micro and macro accuracy, log-loss and F1 as ML.NET computes them; per-row outputs are 1-based class keys.
    private ModelEvaluation EvaluateClasses(string name, ModelArtifact artifact, DatasetSnapshot holdout, CancellationToken cancellationToken)
    {
        using var model = OnnxModel.Load(artifact, options, logger);
        var (keys, predicted, logLoss) = ClassOutputs(model, holdout, cancellationToken);
        var classes = model.ScoreWidth;
        var truePositives = new double[classes];
        var actual = new double[classes];
        var predictedCount = new double[classes];
        for (var i = 0; i < keys.Length; i++)
        {
            var (truth, guess) = ((int)keys[i] - 1, (int)predicted[i] - 1);
            actual[truth]++;
            predictedCount[guess]++;
            truePositives[truth] += truth == guess ? 1 : 0;
        }

        var present = Enumerable.Range(0, classes).Where(c => actual[c] > 0).ToArray();
        var recall = present.Select(c => truePositives[c] / actual[c]).ToArray();
        var f1 = Enumerable.Range(0, classes).Select(c =>
        {
            var p = predictedCount[c] == 0 ? 0 : truePositives[c] / predictedCount[c];
            var r = actual[c] == 0 ? 0 : truePositives[c] / actual[c];
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }).ToArray();
        var micro = keys.Length == 0 ? double.NaN : truePositives.Sum() / keys.Length;
        var metrics = new Dictionary<string, MetricValue>(StringComparer.Ordinal)
        {
            ["MicroAccuracy"] = new("MicroAccuracy", micro, MetricDirection.HigherIsBetter),
            ["MacroAccuracy"] = new("MacroAccuracy", recall.Length == 0 ? double.NaN : recall.Average(), MetricDirection.HigherIsBetter),
            ["LogLoss"] = new("LogLoss", logLoss, MetricDirection.LowerIsBetter),
            ["MacroF1"] = new("MacroF1", f1.Length == 0 ? double.NaN : f1.Average(), MetricDirection.HigherIsBetter),
            ["MicroF1"] = new("MicroF1", micro, MetricDirection.HigherIsBetter),
        };
        return new ModelEvaluation(name, metrics) { Outputs = new PerRowOutputs(keys, predicted), ExecutionProvider = model.ExecutionProvider.ToString() };
    }

    // The true and the predicted class of every row as 1-based keys into the model's class labels, and the mean log-loss.
    private static (float[] Keys, float[] Predicted, double LogLoss) ClassOutputs(OnnxModel model, DatasetSnapshot data, CancellationToken cancellationToken)
    {
        if (model.ClassLabels.Count == 0)
        {
            throw new InvalidDataException($"'{model.Name}' does not name its classes ({model.ScoreWidth} scores per row): export it with OnnxExport.FromMLNet, or list them in {nameof(OnnxModelOptions)}.{nameof(OnnxModelOptions.ClassLabels)}.");
        }

        var index = model.ClassLabels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i, StringComparer.Ordinal);
        var labels = LabelTexts(data);
        var scores = model.ScoreClasses(data, cancellationToken);
        var keys = new float[labels.Length];
        var predicted = new float[labels.Length];
        double loss = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (!index.TryGetValue(labels[i], out var truth))
            {
                throw new InvalidDataException($"'{data.Name}' row {i + 1}: label '{labels[i]}' is not a class of '{model.Name}' (classes: {string.Join(", ", model.ClassLabels)}).");
            }

            var row = scores[i];
            var best = 0;
            for (var c = 1; c < row.Length; c++)
            {
                best = row[c] > row[best] ? c : best;
            }

            keys[i] = truth + 1;
            predicted[i] = best + 1;
            loss -= Math.Log2(Math.Max(row[truth], LogLossEpsilon)); // in bits, as every LogLoss here
        }

        return (keys, predicted, labels.Length == 0 ? double.NaN : loss / labels.Length);
    }

    // The label of every row as text, the way ML.NET names key values (invariant culture).
    private static string[] LabelTexts(DatasetSnapshot data)
    {
        var label = data.Schema.LabelColumn ?? throw new InvalidDataException($"'{data.Name}' has no label column to evaluate against.");
        var column = data.Data.Schema.GetColumnOrNull(label) is { } found ? found : throw new InvalidDataException($"'{data.Name}' has no column '{label}'.");
        if (column.Type is TextDataViewType)
        {
            return Read<ReadOnlyMemory<char>>(data.Data, column, v => v.ToString());
        }

        return column.Type is BooleanDataViewType
            ? Read<bool>(data.Data, column, v => v.ToString())
            : Read<float>(data.Data, column, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string[] Read<T>(IDataView data, DataViewSchema.Column column, Func<T, string> text)
    {
        var values = new List<string>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(text(value));
        }

        return [.. values];
    }

    private ModelEvaluation Evaluate(string name, ModelArtifact artifact, DatasetSnapshot holdout, float[] labels, CancellationToken cancellationToken)
    {
        using var model = OnnxModel.Load(artifact, options, logger);
        var scores = model.Score(holdout, cancellationToken);
        var metrics = ScoreMetrics.Compute(task == MLTask.Regression ? RegressionMetrics : BinaryMetrics, labels, scores);
        return new ModelEvaluation(name, metrics) { Outputs = new PerRowOutputs(labels, scores), ExecutionProvider = model.ExecutionProvider.ToString() };
    }

    // The champion's ONNX model: its artifact, or the export stored with its version (read through the run's registry).
    private static async ValueTask<ModelArtifact> ChampionOnnxAsync(ChampionModel champion, RetrainingContext context, CancellationToken cancellationToken)
    {
        if (champion.Artifact.Flavor == ArtifactFlavors.Onnx)
        {
            return champion.Artifact;
        }

        if (context.Registry is { } registry && OnnxArtifacts.Has(champion.Version))
        {
            return await OnnxArtifacts.ReadAsync(registry, champion.Version, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidDataException($"{champion.Version} has no ONNX model (flavor '{champion.Artifact.Flavor}'); export it with ExportOnnx() or import an ONNX model.");
    }

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
