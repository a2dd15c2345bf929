namespace ModelRetraining;

/// <summary>The names of the attachments the library stores with a version (<see cref="ModelVersion.Attachments"/>), spelled once for every reader and writer.</summary>
public static class AttachmentNames
{
    /// <summary>The version's model exported to ONNX (an ML.NET model's export, kept beside its zip).</summary>
    public const string Onnx = "model.onnx";

    /// <summary>The profile of the data the version was trained on: the reference of drift detection.</summary>
    public const string Profile = "profile.json";

    /// <summary>The schema inferred from the data the version was trained on: the reference of the champion-schema check.</summary>
    public const string Schema = "schema.json";
}
