namespace ModelRetraining.Serving;

/// <summary>What runs the served model.</summary>
public enum ServingRuntime
{
    /// <summary>ML.NET: the version's artifact, with pooled prediction engines.</summary>
    MLNet = 0,

    /// <summary>ONNX Runtime: the version's ONNX artifact or its <c>model.onnx</c> attachment, on the execution providers of <see cref="ModelServerOptions.Onnx"/>.</summary>
    Onnx = 1,
}
