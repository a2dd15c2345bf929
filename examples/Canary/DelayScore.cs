namespace Canary;

/// <summary>The model's answer: the probability of a late arrival.</summary>
public sealed class DelayScore
{
    /// <summary>Gets or sets the probability of a late arrival.</summary>
    public float Probability { get; set; }
}
