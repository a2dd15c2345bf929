using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ModelRetraining.Onnx;

/// <summary>
/// Loads the candidate's ONNX model in ONNX Runtime with the serving options (execution providers,
/// <see cref="OnnxModelOptions.RequireGpu"/>), scores a sample of the holdout and compares it with the
/// evaluation's scores, times single-row predictions, and measures the working-set growth.
/// </summary>
internal sealed class OnnxInfraValidator(OnnxInfraValidationOptions options, ILogger logger) : IInfraValidator
{
    public string Name => ArtifactFlavors.Onnx;

    public ValueTask<InfraValidationReport> ValidateAsync(InfraValidationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var artifact = OnnxArtifacts.Find(input.Candidate);
        if (artifact is null)
        {
            return ValueTask.FromResult(new InfraValidationReport(Name, [$"The candidate has no ONNX model (flavor '{input.Candidate.Artifact.Flavor}', attachments: {(input.Candidate.Attachments.Count == 0 ? "none" : string.Join(", ", input.Candidate.Attachments.Keys))}); add ExportOnnx() after the trainer."]));
        }

        var problems = new List<string>();
        var before = Environment.WorkingSet;
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(artifact, options.Model, logger);
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException)
        {
            return ValueTask.FromResult(new InfraValidationReport(Name, [$"The model does not load: {ex.Message}"]));
        }

        using (model)
        {
            if (model.CheckInputs(input.Holdout.Schema) is { Count: > 0 } mismatches)
            {
                return ValueTask.FromResult(new InfraValidationReport(Name, mismatches) { ExecutionProvider = model.ExecutionProvider.ToString() });
            }

            var scores = model.Score(input.Holdout, options.SampleRows, options.Model.BatchSize, null, cancellationToken);
            if (model.ScoreWidth > 1)
            {
                // A multiclass evaluation keeps the predicted class key (1-based) per row: compare those.
                scores = [.. scores.Chunk(model.ScoreWidth).Select(row => (float)(Array.IndexOf(row, row.Max()) + 1))];
            }

            var worst = InfraValidationMeasures.CompareScores(scores, input.EvaluatedScores, options.Tolerance, problems);
            var times = new List<double>(options.LatencyRuns);
            model.Score(input.Holdout, options.LatencyRuns, 1, times, cancellationToken);
            var growth = Math.Max(0, Environment.WorkingSet - before);
            return ValueTask.FromResult(InfraValidationMeasures.Report(Name, model.ExecutionProvider.ToString(), scores.Length, worst, times, growth, options, problems));
        }
    }
}
