namespace ModelRetraining.Hosting;

/// <summary>What a scheduled data check looks for.</summary>
internal enum DataCheckKind
{
    /// <summary>Drift of recent data against the champion's training-data profile.</summary>
    Drift = 0,

    /// <summary>A number of rows newer than the champion's training window.</summary>
    NewRows = 1,

    /// <summary>New rows as a share of the champion's training rows.</summary>
    NewRowShare = 2,
}
