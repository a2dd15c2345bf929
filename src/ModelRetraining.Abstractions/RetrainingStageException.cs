namespace ModelRetraining;

/// <summary>A stage failed after whatever retries it had; carries the stage.</summary>
public sealed class RetrainingStageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RetrainingStageException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public RetrainingStageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RetrainingStageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a stage.</summary>
    /// <param name="stage">The stage that failed.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RetrainingStageException(RetrainingStage stage, string message, Exception? innerException)
        : base(message, innerException)
    {
        Stage = stage;
    }

    /// <summary>Gets the stage that failed.</summary>
    public RetrainingStage Stage { get; }
}
