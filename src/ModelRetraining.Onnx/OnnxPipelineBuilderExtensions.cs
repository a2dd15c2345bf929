using Microsoft.Extensions.Logging;
using ModelRetraining.Onnx;

namespace ModelRetraining;

/// <summary>ONNX stages for <see cref="RetrainingPipelineBuilder"/>.</summary>
public static class OnnxPipelineBuilderExtensions
{
    /// <summary>
    /// Adds infra validation on ONNX Runtime before the gates: the candidate's ONNX model (from
    /// the ML.NET package's <c>ExportOnnx()</c>, or an ONNX candidate) is loaded with the serving options, scores a sample of
    /// the holdout that must match the evaluation's scores (1e-5 by default), and meets the latency and
    /// memory budgets given. The provider used is recorded in the report; a failure rejects the run with the numbers.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets providers, sample, tolerance and budgets.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public static RetrainingPipelineBuilder AddOnnxInfraValidation(this RetrainingPipelineBuilder builder, Action<OnnxInfraValidationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OnnxInfraValidationOptions();
        configure?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(OnnxInfraValidationOptions), typeof(OnnxInfraValidationOptions), errors);
        }

        return builder.AddInfraValidation(context => new OnnxInfraValidator(options, context.LoggerFactory.CreateLogger<OnnxInfraValidator>()));
    }

    /// <summary>Evaluates the candidate and the champion on ONNX Runtime (their ONNX artifacts or <c>model.onnx</c> attachments), recording the execution provider with each evaluation.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="task">Binary classification (AUC, accuracy, log-loss, Brier, F1, precision, recall), multiclass (micro and macro accuracy, log-loss, micro and macro F1; the classes come from the export or <see cref="OnnxModelOptions.ClassLabels"/>) or regression (RMSE, MSE, MAE, R²).</param>
    /// <param name="configure">Sets providers and batch size.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public static RetrainingPipelineBuilder AddOnnxEvaluation(this RetrainingPipelineBuilder builder, MLTask task, Action<OnnxModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OnnxModelOptions();
        configure?.Invoke(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(OnnxModelOptions), typeof(OnnxModelOptions), errors);
        }

        return builder.UseEvaluator(context => new OnnxEvaluator(task, options, context.LoggerFactory.CreateLogger<OnnxEvaluator>()));
    }

    /// <summary>Takes an externally trained ONNX model as the candidate; its inputs are checked against the training data's schema.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The ONNX file.</param>
    /// <returns>The builder.</returns>
    public static RetrainingPipelineBuilder UseOnnxModel(this RetrainingPipelineBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = Path.GetFullPath(path);
        return builder.UseTrainer(context => new OnnxImportTrainer(file, null, [], TimeSpan.Zero, context.LoggerFactory.CreateLogger<OnnxImportTrainer>()));
    }

    /// <summary>Runs a command (a Python training script, say) that writes an ONNX model, then takes that model as the candidate. The command's output goes to the run's log; it is stopped after <paramref name="timeout"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="command">The program to run.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="outputPath">Where the command writes the ONNX model.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <returns>The builder.</returns>
    public static RetrainingPipelineBuilder UseOnnxTrainingCommand(this RetrainingPipelineBuilder builder, string command, IReadOnlyList<string> arguments, string outputPath, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var file = Path.GetFullPath(outputPath);
        var args = arguments.ToArray();
        return builder.UseTrainer(context => new OnnxImportTrainer(file, command, args, timeout, context.LoggerFactory.CreateLogger<OnnxImportTrainer>()));
    }
}
