namespace ModelRetraining;

/// <summary>A batch was not stored: its source reported Error-level issues, or its idempotency key was used for other rows. Nothing was written.</summary>
public sealed class DatasetBatchRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatasetBatchRefusedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DatasetBatchRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DatasetBatchRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the issues that refused it (none for an idempotency conflict).</summary>
    public IReadOnlyList<DataValidationIssue> Issues { get; init; } = [];

    /// <summary>Gets a value indicating whether the refusal is an idempotency key reused for different rows (HTTP 409).</summary>
    public bool IsIdempotencyConflict { get; init; }
}
