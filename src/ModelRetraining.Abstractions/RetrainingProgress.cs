namespace ModelRetraining;

/// <summary>A progress report from a running stage.</summary>
/// <param name="Stage">The stage that reports.</param>
/// <param name="Fraction">Completed share of the stage in [0, 1], when the stage can tell.</param>
/// <param name="Message">What the stage is doing, for a person.</param>
public sealed record RetrainingProgress(RetrainingStage Stage, double? Fraction, string Message)
{
    /// <summary>Gets the rows the reporting part has handled so far in this stage, when it counts rows (a data source reading a file); the basis of rows per second.</summary>
    public long? Rows { get; init; }

    /// <summary>
    /// Gets what reports within the stage (a file name, a trainer's phase), when several parts of one stage report
    /// at once (training and holdout are read together): the stage's fraction is then their mean and its rows their sum.
    /// </summary>
    public string? Source { get; init; }
}
