using Microsoft.ML.Data;

namespace QuickStart;

/// <summary>One flight as the flight-delay model reads it (for prediction engines and the model server), with its outcome.</summary>
public sealed class FlightRow
{
    /// <summary>Gets or sets the scheduled departure (the schema's time column; the day of week is derived from it).</summary>
    [ColumnName("date")]
    public DateTime Date { get; set; }

    /// <summary>Gets or sets the day of week: a derived column, computed by the model server from <see cref="Date"/> with the training schema's code (<c>ModelServer.Derivations</c>).</summary>
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

    /// <summary>Gets or sets whether it arrived more than 15 minutes late (the outcome, known after landing; not read to predict).</summary>
    public bool Late { get; set; }
}
