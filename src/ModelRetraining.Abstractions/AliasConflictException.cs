namespace ModelRetraining;

/// <summary>An alias move lost a race: the alias no longer points at the version the caller expected.</summary>
public sealed class AliasConflictException : ModelRegistryException
{
    /// <summary>Creates the exception.</summary>
    public AliasConflictException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public AliasConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AliasConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a lost alias race.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="expected">The version the caller expected.</param>
    /// <param name="actual">The version the alias points at.</param>
    public AliasConflictException(string modelName, string alias, int? expected, int? actual)
        : base($"Alias '{alias}' of model '{modelName}' points at {Describe(actual)}, not at the expected {Describe(expected)}: another change moved it first. Read the alias again and retry if the move still makes sense.")
    {
        ModelName = modelName;
        Alias = alias;
        ExpectedVersion = expected;
        ActualVersion = actual;
    }

    /// <summary>Gets the model.</summary>
    public string? ModelName { get; }

    /// <summary>Gets the alias.</summary>
    public string? Alias { get; }

    /// <summary>Gets the version the caller expected.</summary>
    public int? ExpectedVersion { get; }

    /// <summary>Gets the version the alias pointed at.</summary>
    public int? ActualVersion { get; }

    private static string Describe(int? version) => version is { } v ? $"v{v}" : "no version";
}
