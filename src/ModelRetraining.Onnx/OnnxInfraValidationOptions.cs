namespace ModelRetraining.Onnx;

/// <summary>Options of the ONNX infra validation: how the candidate is loaded, and the budgets it must meet.</summary>
public sealed class OnnxInfraValidationOptions : InfraValidationOptions
{
    /// <summary>Gets how the model is loaded: execution providers, device, <see cref="OnnxModelOptions.RequireGpu"/>, as serving will load it.</summary>
    public OnnxModelOptions Model { get; } = new();

    /// <inheritdoc />
    public override IReadOnlyList<string> Validate()
        => [.. Model.Validate().Select(e => $"{nameof(Model)}.{e}"), .. base.Validate()];
}
