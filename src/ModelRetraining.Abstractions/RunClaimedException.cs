namespace ModelRetraining;

/// <summary>A run could not be claimed: another holder has this attempt or a later one (it started or resumed the run first).</summary>
public sealed class RunClaimedException : ModelRegistryException
{
    /// <summary>Creates the exception.</summary>
    public RunClaimedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RunClaimedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RunClaimedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a claim that lost to the one held.</summary>
    /// <param name="wanted">The claim that was refused.</param>
    /// <param name="held">The claim that holds the run.</param>
    public RunClaimedException(RunClaim wanted, RunClaim held)
        : base(Describe(wanted, held))
    {
        Wanted = wanted;
        Held = held;
    }

    /// <summary>Gets the claim that was refused.</summary>
    public RunClaim? Wanted { get; }

    /// <summary>Gets the claim that holds the run.</summary>
    public RunClaim? Held { get; }

    private static string Describe(RunClaim wanted, RunClaim held)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(held);
        return wanted.Attempt == 1
            ? $"Run id '{wanted.RunId}' of model '{wanted.ModelName}' is already taken by {held.Holder} (since {held.At:u}): run ids are unique per run; use a new id, or resume that run."
            : $"Run '{wanted.RunId}' of model '{wanted.ModelName}' is held by {held.Holder}, which claimed attempt {held.Attempt} at {held.At:u}; attempt {wanted.Attempt} by {wanted.Holder} was refused and nothing was changed.";
    }
}
