using Microsoft.ML.Data;

namespace Canary;

/// <summary>One flight as the flight-delay model reads it, with its outcome.</summary>
public sealed class Flight
{
    /// <summary>Gets or sets the day of week.</summary>
    public float DayOfWeek { get; set; }

    /// <summary>Gets or sets the distance in miles.</summary>
    [ColumnName("distance")]
    public float Distance { get; set; }

    /// <summary>Gets or sets the origin airport.</summary>
    [ColumnName("origin")]
    public string Origin { get; set; } = string.Empty;

    /// <summary>Gets or sets the destination airport.</summary>
    [ColumnName("destination")]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Gets or sets whether it arrived more than 15 minutes late (the outcome, known later).</summary>
    public bool Late { get; set; }
}
