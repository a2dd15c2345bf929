namespace ModelRetraining.Onnx;

/// <summary>Where ONNX Runtime runs a model.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU (always available).</summary>
    Cpu = 0,

    /// <summary>An NVIDIA GPU through CUDA; needs the <c>Microsoft.ML.OnnxRuntime.Gpu</c> native package and the CUDA libraries.</summary>
    Cuda = 1,
}
