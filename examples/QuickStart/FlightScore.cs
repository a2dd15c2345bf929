namespace QuickStart;

/// <summary>The flight-delay model's answer.</summary>
public sealed class FlightScore
{
    /// <summary>Gets or sets the probability of a late arrival.</summary>
    public float Probability { get; set; }
}
