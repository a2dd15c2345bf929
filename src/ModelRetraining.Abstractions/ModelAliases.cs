namespace ModelRetraining;

/// <summary>Well-known alias names.</summary>
public static class ModelAliases
{
    /// <summary>The production model.</summary>
    public const string Champion = "champion";

    /// <summary>A model under trial against the champion.</summary>
    public const string Challenger = "challenger";
}
