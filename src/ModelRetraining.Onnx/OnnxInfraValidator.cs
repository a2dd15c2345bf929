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
    public string Name => "onnx";

    public ValueTask<InfraValidationReport> ValidateAsync(InfraValidationInput input, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var artifact = input.Candidate.Attachments.GetValueOrDefault(OnnxExport.Attachment)
            ?? (input.Candidate.Artifact.Flavor == "onnx" ? input.Candidate.Artifact : null);
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
            double? worst = null;
            if (input.EvaluatedScores is { } evaluated)
            {
                var expected = evaluated.Scores.Span;
                var rows = Math.Min(scores.Length, expected.Length);
                var worstRow = -1;
                for (var i = 0; i < rows; i++)
                {
                    var difference = Math.Abs((double)scores[i] - expected[i]);
                    if (worst is null || difference > worst)
                    {
                        (worst, worstRow) = (difference, i);
                    }
                }

                if (worst > options.Tolerance)
                {
                    problems.Add(FormattableString.Invariant($"scores differ from the evaluation's by up to {worst:G4} (holdout row {worstRow + 1}: {scores[worstRow]:G9} vs {expected[worstRow]:G9}); the tolerance is {options.Tolerance:G4}."));
                }
            }
            else
            {
                problems.Add("the evaluator kept no per-row scores to compare with.");
            }

            var times = new List<TimeSpan>(options.LatencyRuns);
            model.Score(input.Holdout, options.LatencyRuns, 1, times, cancellationToken);
            var sorted = times.Select(t => t.TotalMilliseconds).Order().ToArray();
            var p50 = Percentile(sorted, 0.50);
            var p99 = Percentile(sorted, 0.99);
            var growth = Math.Max(0, Environment.WorkingSet - before);
            Check(problems, "median single-row latency", p50, options.MaxLatencyP50?.TotalMilliseconds, "ms");
            Check(problems, "99th-percentile single-row latency", p99, options.MaxLatencyP99?.TotalMilliseconds, "ms");
            Check(problems, "working-set growth", growth, options.MaxMemoryGrowthBytes, "bytes");
            return ValueTask.FromResult(new InfraValidationReport(Name, problems)
            {
                ExecutionProvider = model.ExecutionProvider.ToString(),
                Rows = scores.Length,
                MaxScoreDifference = worst,
                LatencyP50Milliseconds = p50,
                LatencyP99Milliseconds = p99,
                MemoryGrowthBytes = growth,
            });
        }
    }

    private static void Check(List<string> problems, string what, double value, double? budget, string unit)
    {
        if (budget is { } limit && value > limit)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{what} {value:G4} {unit} exceeds the budget of {limit:G4} {unit}."));
        }
    }

    // Nearest-rank percentile of sorted values.
    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
