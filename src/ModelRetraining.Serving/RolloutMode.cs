namespace ModelRetraining.Serving;

/// <summary>How a challenger is tried against the champion.</summary>
public enum RolloutMode
{
    /// <summary>The challenger scores a copy of (a sample of) the requests off the caller's path; the champion answers every call.</summary>
    Shadow = 0,

    /// <summary>Requests are split between champion and challenger by a hash of a routing key (sticky per key) until a sequential test decides.</summary>
    AbTest = 1,

    /// <summary>The challenger's share of traffic rises in steps, each analysed; failure rolls back, inconclusive pauses, success promotes.</summary>
    Canary = 2,
}
