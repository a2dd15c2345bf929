namespace ModelRetraining.Cli;

/// <summary>A refusal with its exit code and a message for the operator: nothing was changed.</summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CliException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = ExitCodes.Failed;
}
