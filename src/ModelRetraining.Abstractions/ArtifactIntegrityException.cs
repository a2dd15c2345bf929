namespace ModelRetraining;

/// <summary>A stored artifact is missing or its bytes no longer match its SHA-256 address.</summary>
public sealed class ArtifactIntegrityException : ModelRegistryException
{
    /// <summary>Creates the exception.</summary>
    public ArtifactIntegrityException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the file and the hashes.</param>
    public ArtifactIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ArtifactIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
