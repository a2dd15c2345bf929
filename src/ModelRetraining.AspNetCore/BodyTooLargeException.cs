namespace ModelRetraining.AspNetCore;

/// <summary>The body passed <see cref="IngestionOptions.MaxBodyBytes"/> while it was received.</summary>
internal sealed class BodyTooLargeException : Exception
{
    public BodyTooLargeException()
        : base("The body passed the endpoint's byte limit.")
    {
    }

    public BodyTooLargeException(string message)
        : base(message)
    {
    }

    public BodyTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
