namespace ModelRetraining.MLNet;

/// <summary>ONNX export of ML.NET candidates for <see cref="RetrainingPipelineBuilder"/>: it needs ML.NET, so it lives here, and the ONNX package needs only ONNX Runtime.</summary>
public static class OnnxExportPipelineBuilderExtensions
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
