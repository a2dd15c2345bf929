namespace ModelRetraining;

/// <summary>A later attempt claimed the run while this one was still going: this attempt stops and writes nothing more.</summary>
internal sealed class RunTakenOverException : Exception
{
    public RunTakenOverException(string message)
        : base(message)
    {
    }

    public RunTakenOverException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
