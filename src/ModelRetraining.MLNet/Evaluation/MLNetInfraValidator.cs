using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.MLNet;

/// <summary>
/// Loads the candidate's ML.NET artifact from its bytes (as the model server does), scores a sample of the
/// holdout and compares it with the evaluation's scores, times predictions one row at a time, and measures
/// the working-set growth.
/// </summary>
internal sealed class MLNetInfraValidator(MLTask task, InfraValidationOptions options) : IInfraValidator
{
    public string Name => "mlnet";

    public ValueTask<InfraValidationReport> ValidateAsync(InfraValidationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Candidate.Artifact.Flavor != MLNetTrainer.Flavor)
        {
            return ValueTask.FromResult(new InfraValidationReport(Name, [$"The candidate's artifact is of flavor '{input.Candidate.Artifact.Flavor}'; the ML.NET infra validation loads '{MLNetTrainer.Flavor}'."]));
        }

        var before = Environment.WorkingSet;
        var ml = new MLContext(seed: 0);
        ITransformer model;
        try
        {
            using var stream = new MemoryStream(input.Candidate.Artifact.Content.ToArray(), writable: false);
            model = ml.Model.Load(stream, out _);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException or ArgumentException or System.Runtime.Serialization.SerializationException)
        {
            return ValueTask.FromResult(new InfraValidationReport(Name, [$"The model does not load: {ex.Message}"]) { ExecutionProvider = "ML.NET" });
        }

        var problems = new List<string>();
        float[] scores;
        try
        {
            var sample = model.Transform(ml.Data.TakeRows(input.Holdout.Data, options.SampleRows));
            scores = Outputs(sample);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            return ValueTask.FromResult(new InfraValidationReport(Name, [$"The model does not score the holdout '{input.Holdout.Name}': {ex.Message}"]) { ExecutionProvider = "ML.NET" });
        }

        cancellationToken.ThrowIfCancellationRequested();
        var worst = InfraValidationMeasures.CompareScores(scores, input.EvaluatedScores, options.Tolerance, problems);
        var times = TimeRows(model, ml, input.Holdout.Data, cancellationToken);
        var growth = Math.Max(0, Environment.WorkingSet - before);
        return ValueTask.FromResult(InfraValidationMeasures.Report(Name, "ML.NET", scores.Length, worst, times, growth, options, problems));
    }

    // The output the evaluator keeps per row: the probability (or raw score), the regression score, or the predicted class key.
    private float[] Outputs(IDataView scored)
        => task switch
        {
            MLTask.BinaryClassification => [.. scored.GetColumn<float>(scored.Schema.GetColumnOrNull("Probability") is null ? "Score" : "Probability")],
            MLTask.Regression => [.. scored.GetColumn<float>("Score")],
            _ => [.. scored.GetColumn<uint>("PredictedLabel").Select(k => (float)k)],
        };

    // One row at a time through the model's row-to-row mapper, what a prediction engine runs per call (a
    // cursor over the transformed data would score rows in parallel batches and hide the per-row cost).
    // The first row (lazy initialization, as a server's warm-up call) is not counted.
    private List<double> TimeRows(ITransformer model, MLContext ml, IDataView holdout, CancellationToken cancellationToken)
    {
        var input = ml.Data.TakeRows(holdout, options.LatencyRuns + 1);
        var mapper = model.GetRowToRowMapper(input.Schema);
        var output = mapper.OutputSchema[task == MLTask.MulticlassClassification ? "PredictedLabel" : "Score"];
        var times = new List<double>(options.LatencyRuns);
        using var cursor = input.GetRowCursor(mapper.GetDependencies([output]));
        using var row = mapper.GetRow(cursor, [output]);
        Action read = output.Type is KeyDataViewType ? ReadAs<uint>(row, output) : ReadAs<float>(row, output);
        var first = true;
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            read();
            if (!first)
            {
                times.Add((Stopwatch.GetTimestamp() - started) * 1000.0 / Stopwatch.Frequency);
            }

            first = false;
        }

        return times;
    }

    private static Action ReadAs<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () => getter(ref value);
    }
}
