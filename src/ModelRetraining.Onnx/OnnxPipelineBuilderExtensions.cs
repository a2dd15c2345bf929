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
}
