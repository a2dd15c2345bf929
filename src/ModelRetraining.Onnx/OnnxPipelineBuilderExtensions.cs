using Microsoft.Extensions.Logging;
using ModelRetraining.Onnx;

namespace ModelRetraining;

/// <summary>ONNX stages for <see cref="RetrainingPipelineBuilder"/>.</summary>
public static class OnnxPipelineBuilderExtensions
{
    /// <summary>
    /// After training, exports the ML.NET model to ONNX (scoring-only inputs: the data's columns without the
    /// label) and stores it as the <c>model.onnx</c> attachment of the version. A model with a transform
    /// that has no ONNX conversion fails the run at training, naming ML.NET's reason.
    /// </summary>
    /// <param name="builder">The builder, with an ML.NET trainer set.</param>
    /// <returns>The builder.</returns>
    public static RetrainingPipelineBuilder ExportOnnx(this RetrainingPipelineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.DecorateTrainer(trainer => new OnnxExportTrainer(trainer));
    }

    /// <summary>
    /// Adds infra validation on ONNX Runtime before the gates: the candidate's ONNX model (from
    /// <see cref="ExportOnnx"/>, or an ONNX candidate) is loaded with the serving options, scores a sample of
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

        return builder.AddInfraValidation(new OnnxInfraValidator(options, builder.LoggerFactory.CreateLogger<OnnxInfraValidator>()));
    }
}
