namespace ModelRetraining;

/// <summary>Where data is validated, as TFX's schema environments: the label is required for training and not expected when serving.</summary>
public enum SchemaEnvironment
{
    /// <summary>Training data: the label must be present.</summary>
    Training = 0,

    /// <summary>Serving data: the label is absent and that is expected.</summary>
    Serving = 1,
}
